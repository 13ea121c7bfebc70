import { expect } from "chai";
import { csvRecords, normalizeKey, parseCsv } from "../../src/issue/csv.js";

describe("issue/csv: issuers' batch files", () => {
  it("reads quoted fields holding commas, newlines and doubled quotes, each row with the line it starts on", () => {
    const text = 'subject,name\r\ndid:ethr:0x1,"Databases, part ""one"""\n"did:ethr:0x2","two\nlines"\nlast,row';
    expect(parseCsv(text, "f.csv")).to.deep.equal([
      { line: 1, fields: ["subject", "name"] },
      { line: 2, fields: ["did:ethr:0x1", 'Databases, part "one"'] },
      { line: 3, fields: ["did:ethr:0x2", "two\nlines"] },
      { line: 5, fields: ["last", "row"] },
    ]);
  });

  it("skips a byte-order mark and blank lines", () => {
    expect(parseCsv("\uFEFFa,b\n\n1,2\n", "f.csv")).to.deep.equal([
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["1", "2"] },
    ]);
  });

  it("refuses a quoted field that is never closed, naming the file and the line it starts on", () => {
    expect(() => parseCsv('a,b\n1,"open\n2', "courses.csv"))
      .to.throw(/courses\.csv: a quoted field starting on line 2 is never closed/)
      .with.property("code", "invalid_csv");
  });

  it("keys rows by header names without case, spaces, '-' or '_', leaving empty cells out", () => {
    const rows = csvRecords("Subject, Achievement Type,valid_until\ndid:ethr:0x1,Degree,\n", "f.csv");
    expect(rows).to.deep.equal([{ line: 2, value: { subject: "did:ethr:0x1", achievementtype: "Degree" } }]);
    expect(normalizeKey(" Credits-Available ")).to.equal("creditsavailable");
  });

  it("refuses a row whose field count differs from the header's", () => {
    expect(() => csvRecords("a,b\n1,2,3\n", "f.csv"))
      .to.throw("Line 2 of f.csv has 3 fields; the header has 2.")
      .with.property("code", "invalid_csv");
  });

  it("gives no records for an empty text", () => {
    expect(csvRecords("", "f.csv")).to.deep.equal([]);
  });
});
