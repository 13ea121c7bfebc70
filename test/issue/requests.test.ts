import { expect } from "chai";
import { batchRequests, parseSkill, requestFrom, type RequestContext } from "../../src/issue/requests.js";

const context: RequestContext = {
  achievementId: (name, type) => `urn:test:${type}:${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
  parseTime: (text) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Error(`not a date: ${text}`);
    return Date.parse(`${text}T00:00:00Z`) / 1000;
  },
};

describe("issue/requests: credential requests from what issuers write", () => {
  it("builds an Open Badge request from a flat record, with defaults for what it leaves out", () => {
    const r = requestFrom(
      { Subject: " did:ethr:localhost:0x1 ", Name: "Databases 101" },
      { type: "Course", criteria: "Final exam" },
      "the flags",
      context,
    );
    expect(r.subject).to.equal("did:ethr:localhost:0x1");
    expect(r.achievement).to.include({
      id: "urn:test:Course:databases-101",
      name: "Databases 101",
      achievementType: "Course",
      description: "Databases 101",
    });
    expect(r.achievement?.criteria).to.deep.equal({ narrative: "Final exam" });
  });

  it("reads validUntil written as a date through the context, and as unix seconds as is", () => {
    expect(
      requestFrom({ subject: "did:x", type: "Degree", name: "BSc", validUntil: "2030-06-30" }, {}, "r", context)
        .validUntil,
    ).to.equal(Date.UTC(2030, 5, 30) / 1000);
    expect(
      requestFrom({ subject: "did:x", type: "Degree", name: "BSc", validUntil: 42 }, {}, "r", context).validUntil,
    ).to.equal(42);
  });

  it("builds a CLR request from several achievements", () => {
    const r = requestFrom(
      {
        subject: "did:x",
        achievements: [
          { type: "Course", name: "A" },
          { achievementType: "Course", name: "B", id: "urn:b" },
        ],
      },
      {},
      "r",
      context,
    );
    expect(r.achievement).to.equal(undefined);
    expect(r.achievements?.map((a) => a.id)).to.deep.equal(["urn:test:Course:a", "urn:b"]);
  });

  it("says which record lacks a subject, a type or a name", () => {
    expect(() => requestFrom({ name: "x" }, {}, "line 3 of f.csv", context))
      .to.throw("line 3 of f.csv names no subject")
      .with.property("code", "missing_field");
    expect(() => requestFrom({ subject: "did:x", name: "x" }, {}, "line 4 of f.csv", context)).to.throw(
      /line 4 of f\.csv has no achievement type/,
    );
    expect(() => requestFrom({ subject: "did:x", type: "Course" }, {}, "line 5 of f.csv", context)).to.throw(
      /line 5 of f\.csv has no achievement name/,
    );
  });

  it("refuses a credential id that is not a lowercase urn:uuid", () => {
    expect(() =>
      requestFrom({ subject: "did:x", type: "Course", name: "A", id: "urn:uuid:NOT" }, {}, "r", context),
    ).to.throw(/a credential id is urn:uuid:/);
  });

  it("reads skills from a CSV cell and from --skill", () => {
    const [r] = batchRequests(
      'subject,type,name,skills\ndid:x,Course,SQL,"SQL=https://esco.example/sql; Python=https://esco.example/py"\n',
      { path: "c.csv", where: "c.csv" },
      {},
      context,
    );
    expect(r!.achievement?.alignment?.map((a) => a.targetName)).to.deep.equal(["SQL", "Python"]);
    expect(parseSkill("SQL=https://esco.example/sql", "ESCO")).to.deep.equal({
      targetName: "SQL",
      targetUrl: "https://esco.example/sql",
      targetFramework: "ESCO",
    });
    expect(() => parseSkill("SQL")).to.throw(/A skill is NAME=URL/);
  });

  it("reads a batch as CSV, JSON Lines or a JSON array, naming the line or item of a bad record", () => {
    const jsonl =
      '{"subject":"did:a","type":"Course","name":"A"}\n# a comment\n{"subject":"did:b","type":"Course","name":"B"}\n';
    expect(
      batchRequests(jsonl, { path: "b.jsonl", where: "b.jsonl" }, {}, context).map((r) => r.subject),
    ).to.deep.equal(["did:a", "did:b"]);
    const arr = '[{"subject":"did:a","type":"Course","name":"A"},{"type":"Course","name":"B"}]';
    expect(() => batchRequests(arr, { path: "-", where: "stdin" }, {}, context)).to.throw(
      "item 2 of stdin names no subject",
    );
    expect(() =>
      batchRequests("subject,type\ndid:a,Course\n", { path: "c.csv", where: "c.csv" }, {}, context),
    ).to.throw(/line 2 of c\.csv has no achievement name/);
  });

  it("refuses an empty batch", () => {
    expect(() => batchRequests("  \n", { path: "e.csv", where: "e.csv" }, {}, context))
      .to.throw("e.csv is empty.")
      .with.property("code", "empty_input");
    expect(() => batchRequests("subject,type,name\n", { path: "h.csv", where: "h.csv" }, {}, context)).to.throw(
      "h.csv holds no credentials to issue.",
    );
  });
});
