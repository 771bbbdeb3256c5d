import { describe, expect, it } from "vitest";
import * as f from "./format.js";
import { locationStrings } from "./strings.js";

const en = locationStrings("en");
const de = locationStrings("de");

describe("a place in words", () => {
  it("formats coordinates to 5 decimals with hemispheres, in the locale", () => {
    expect(f.coordinates({ lat: 52.520008, lon: 13.404954 }, en)).toBe("52.52001° N, 13.40495° E");
    expect(f.coordinates({ lat: -33.8688, lon: -70.6693 }, de)).toBe("33,86880° S, 70,66930° W");
    expect(f.coordinates({ lat: 48.1, lon: 11.5 }, de)).toBe("48,10000° N, 11,50000° O");
  });

  it("gives accuracy and distance in metres or kilometres", () => {
    expect(f.accuracy(12, en)).toBe("±12 m");
    expect(f.distance(847, en)).toBe("850 m");
    expect(f.distance(1234, en)).toBe("1.2 km");
    expect(f.distance(1234, de)).toBe("1,2 km");
    expect(f.distance(123_456, en)).toBe("123 km");
  });

  it("names eight directions and joins them with the distance", () => {
    expect([0, 44, 90, 135, 180, 225, 270, 315, 359].map((b) => f.direction(b, en))).toEqual([
      "north",
      "north-east",
      "east",
      "south-east",
      "south",
      "south-west",
      "west",
      "north-west",
      "north",
    ]);
    expect(f.distanceAndDirection(1200, 45, en)).toBe("1.2 km north-east");
    expect(f.distanceAndDirection(1200, 45, de)).toBe("1,2 km Richtung Nordosten");
  });

  it("says ages in seconds, minutes and hours", () => {
    expect(en.t("card.age", { age: f.age(8_400, en) })).toBe("updated 8 s ago");
    expect(de.t("card.age", { age: f.age(180_000, de) })).toBe("vor 3 min aktualisiert");
    expect(f.age(-50, en)).toBe("0 s");
    expect(f.age(7_200_000, en)).toBe("2 h");
  });

  it("links to OpenStreetMap and a geo: URI", () => {
    const p = { lat: 52.52, lon: 13.405 };
    expect(f.osmUrl(p)).toBe("https://www.openstreetmap.org/?mlat=52.52000&mlon=13.40500#map=17/52.52000/13.40500");
    expect(f.geoUri(p, 12.4)).toBe("geo:52.52000,13.40500;u=12");
  });
});
