/**
 * A set of non-negative integer ids as a bitmap: 2.6M legacy ids take ~330 KB, where a Set
 * would take ~100 MB. Used to notice an id a dump repeats.
 */
export class IdSet {
  private bits = new Uint8Array(1024);

  /** Adds id; returns false when it was already there. */
  add(id: number): boolean {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`IdSet: ${id} is not a non-negative integer`);
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    if (this.bits[byte]! & mask) return false;
    this.bits[byte]! |= mask;
    return true;
  }

  has(id: number): boolean {
    const byte = id >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (id & 7))) !== 0;
  }
}
