import { describe, expect, it } from 'vitest';
import { DumpSyntaxError, readDumpRows, type DumpReadOptions, type DumpRow } from '@wxyc/legacy-etl';

const DUMP = `-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS \`T\`;
CREATE TABLE \`T\` (
  \`ID\` int(11) NOT NULL AUTO_INCREMENT,
  \`NAME\` varchar(255) DEFAULT NULL,
  \`N\` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (\`ID\`),
  KEY \`idx\` (\`NAME\`(10),\`N\`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;
LOCK TABLES \`T\` WRITE;
/*!40000 ALTER TABLE \`T\` DISABLE KEYS */;
INSERT INTO \`T\` VALUES (1,'plain',1775304060000),(2,'it\\'s, (a) \\"test\\"; ok',-5),
(3,'O''Brien \\\\ back\\nline\\ttab',0),(4,NULL,0),(5,_binary 'bin',0x10),(6,0x4869,1.5);
/*!40000 ALTER TABLE \`T\` ENABLE KEYS */;
UNLOCK TABLES;
INSERT INTO \`U\` (\`B\`, \`A\`) VALUES ('b1','a1');
# a hash comment
INSERT INTO \`T\` VALUES (7,'é ü 日本',7);
`;

async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function read(text: string | Buffer, opts: DumpReadOptions = {}, size = 1 << 16): Promise<DumpRow[]> {
  const out: DumpRow[] = [];
  for await (const r of readDumpRows(chunks(text, size), opts)) out.push(r);
  return out;
}

async function failure(text: string, opts: DumpReadOptions = {}): Promise<DumpSyntaxError> {
  try {
    await read(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(DumpSyntaxError);
    return err as DumpSyntaxError;
  }
  throw new Error('expected a DumpSyntaxError');
}

describe('readDumpRows', () => {
  it('reads multi-row INSERTs with quotes, escapes, NULL, numbers, introducers and hex', async () => {
    const rows = await read(DUMP, { tables: ['T'] });
    expect(rows.map((r) => r.row)).toEqual([
      { ID: 1, NAME: 'plain', N: 1775304060000 },
      { ID: 2, NAME: 'it\'s, (a) "test"; ok', N: -5 },
      { ID: 3, NAME: "O'Brien \\ back\nline\ttab", N: 0 },
      { ID: 4, NAME: null, N: 0 },
      { ID: 5, NAME: 'bin', N: '\u0010' },
      { ID: 6, NAME: 'Hi', N: 1.5 },
      { ID: 7, NAME: 'é ü 日本', N: 7 },
    ]);
    expect(rows.map((r) => r.line)).toEqual([14, 14, 15, 15, 15, 15, 20]);
  });

  it('gives the same rows whatever the chunk boundaries (1-byte chunks)', async () => {
    expect(await read(DUMP, {}, 1)).toEqual(await read(DUMP));
    expect(await read(DUMP, {}, 7)).toEqual(await read(DUMP));
  });

  it('uses an INSERT column list when there is one, and filters tables', async () => {
    expect((await read(DUMP, { tables: ['U'] })).map((r) => r.row)).toEqual([{ B: 'b1', A: 'a1' }]);
  });

  it('keeps bytes that are not UTF-8 visible as U+FFFD', async () => {
    const bytes = Buffer.concat([
      Buffer.from("INSERT INTO `X` (`S`) VALUES ('a"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("b');\n"),
    ]);
    expect((await read(bytes))[0]!.row.S).toBe('a\uFFFD(b');
  });

  it('knownColumns stands in for a missing CREATE TABLE; without it, the error says so', async () => {
    const text = "INSERT INTO `V` VALUES (1,'x');\n";
    expect((await read(text, { knownColumns: { V: ['ID', 'S'] } }))[0]!.row).toEqual({ ID: 1, S: 'x' });
    const err = await failure(text);
    expect(err.message).toBe('line 1: INSERT INTO `V` has no column list and no CREATE TABLE precedes it');
  });

  it('names the line of a malformed row', async () => {
    const text = DUMP.replace('(4,NULL,0)', '(4,NULL 0)');
    const err = await failure(text);
    expect(err.line).toBe(15);
    expect(err.message).toMatch(/^line 15: expected , or \) after a value of `T`, found "0"$/);
  });

  it('names the line of a row with the wrong number of values', async () => {
    const err = await failure(DUMP.replace("(7,'é ü 日本',7)", "(7,'é ü 日本')"));
    expect(err.message).toBe('line 20: a row of `T` has 2 values but the table has 3 columns');
  });

  it('an unterminated string fails with the line it starts on', async () => {
    const err = await failure("INSERT INTO `X` (`S`) VALUES ('a\n\nb\n");
    expect(err.message).toBe('line 1: unterminated string (the dump ends inside it)');
  });

  it('a dump cut in the middle of an INSERT fails', async () => {
    const err = await failure("INSERT INTO `X` (`S`) VALUES ('a'),\n('b')");
    expect(err.message).toMatch(/^line 2: the dump ends inside an INSERT INTO `X`/);
  });

  it('rejects a row that does not start with (', async () => {
    const err = await failure("\n\nINSERT INTO `X` (`S`) VALUES 'a';");
    expect(err.message).toBe('line 3: expected ( to start a row of `X`, found a string');
  });
});
