import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";
import { driverOptions } from "./driver-options.js";
import { parseOptions } from "./options.js";

describe("the MongoDB driver options", () => {
  it("win over a connection string that asks for weaker reads and writes", async () => {
    const uri =
      "mongodb://a.test,b.test,c.test/?replicaSet=rs0&w=1&journal=false&readConcernLevel=local&readPreference=secondary&retryWrites=false&retryReads=false";
    const client = new MongoClient(
      uri,
      driverOptions({ serverSelectionTimeoutMS: 3000, writeConcernTimeoutMS: 10_000 }),
    );
    try {
      const { writeConcern, readConcern, readPreference, retryWrites, retryReads, replicaSet, hosts } = client.options;
      expect(writeConcern).toMatchObject({ w: "majority", journal: true, wtimeoutMS: 10_000 });
      expect(readConcern.level).toBe("majority");
      expect(readPreference.mode).toBe("primary");
      expect({ retryWrites, retryReads }).toEqual({ retryWrites: true, retryReads: true });
      // What the operator's string is for stays: the seed list and the set's name.
      expect(replicaSet).toBe("rs0");
      expect(hosts.map(String)).toEqual(["a.test:27017", "b.test:27017", "c.test:27017"]);
    } finally {
      await client.close();
    }
  });

  it("refuses a write-concern timeout that is not a positive integer", () => {
    for (const writeConcernTimeoutMS of [0, -1, 1.5, Number.NaN]) {
      expect(() => parseOptions({ uri: "mongodb://a.test/", writeConcernTimeoutMS })).toThrow(/writeConcernTimeoutMS/);
    }
    expect(parseOptions({ uri: "mongodb://a.test/" }).writeConcernTimeoutMS).toBe(10_000);
  });
});
