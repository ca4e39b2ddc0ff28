// A process-wide wrong clock, as libfaketime would give the whole process: everything that reads
// Date (new Date(), Date.now()) in this process is shifted. Import it first, or preload it with
// `node --import ./tests/support/fake-clock.mjs`. FAKE_NOW=<ISO time> starts the clock there;
// FAKE_CLOCK_OFFSET_S=<seconds> shifts it (negative = behind). Neither set: the real clock.
const target = process.env.FAKE_NOW ? Date.parse(process.env.FAKE_NOW) : NaN;
const offsetMs = Number.isFinite(target) ? target - Date.now() : Number(process.env.FAKE_CLOCK_OFFSET_S ?? 0) * 1000;
if (process.env.FAKE_NOW && !Number.isFinite(target)) throw new Error(`FAKE_NOW=${process.env.FAKE_NOW} is not a date`);

if (offsetMs) {
  const RealDate = Date;
  /** @type {any} */
  const Fake = function (/** @type {any[]} */ ...args) {
    if (!new.target) return new RealDate(RealDate.now() + offsetMs).toString();
    return args.length ? Reflect.construct(RealDate, args, new.target) : new RealDate(RealDate.now() + offsetMs);
  };
  Object.setPrototypeOf(Fake, RealDate);
  Fake.prototype = RealDate.prototype;
  Fake.now = () => RealDate.now() + offsetMs;
  globalThis.Date = Fake;
}
