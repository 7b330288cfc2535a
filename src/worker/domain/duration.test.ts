import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountForMinutes, durationToInput, elapsedMinutes, formatDuration, minutesToHours, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["1:30", 90],
    ["0:45", 45],
    ["10:05", 605],
    ["1h30", 90],
    ["1H30", 90],
    ["1 h 30", 90],
    ["1h30min", 90],
    ["2h", 120],
    ["2 h", 120],
    ["90", 90],
    ["45 min", 45],
    ["45min", 45],
    ["1,5", 90],
    ["1.5", 90],
    ["1,25", 75],
    ["0,1", 6],
    ["1,5 h", 90],
    ["  1:30  ", 90],
    ["0", 0],
  ])("reads %j as %i minutes", (input, minutes) => {
    expect(parseDuration(input)).toBe(minutes);
  });

  it("rounds decimal hours to the nearest minute, half up", () => {
    // 0,0083 h = 0.498 min → 0; 0,0084 h = 0.504 min → 1; 0,33 h = 19.8 min → 20.
    expect(parseDuration("0,0083")).toBe(0);
    expect(parseDuration("0,0084")).toBe(1);
    expect(parseDuration("0,33")).toBe(20);
  });

  it.each(["", " ", "abc", "1:75", "1h60", "-1", "-1:30", "1,", ",5", "1,5,5", "1:30:00", "h", "1 hour", "1e3", "0x10", "１:３０", "1;30", "12345678"])(
    "refuses %j",
    (input) => {
      expect(parseDuration(input)).toBeNull();
    },
  );

  it("reads back every h:mm it could be given", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        const expected = h * 60 + m;
        expect(parseDuration(`${h}:${String(m).padStart(2, "0")}`)).toBe(expected);
        expect(parseDuration(`${h}h${m}`)).toBe(expected);
        expect(parseDuration(`${h} h ${m}`)).toBe(expected);
      }),
    );
  });

  it("reads a decimal number of hours like the exact value rounded to the minute", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (h, hundredths) => {
        const text = `${h},${String(hundredths).padStart(2, "0")}`;
        // Exact minutes are h × 60 + hundredths × 0.6; compare in integers (×10) to avoid float noise.
        const tenths = h * 600 + hundredths * 6;
        expect(parseDuration(text)).toBe(Math.floor((tenths + 5) / 10));
      }),
    );
  });

  it("never throws and returns null or a whole number of minutes for any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const r = parseDuration(s);
        expect(r === null || (Number.isSafeInteger(r) && r >= 0)).toBe(true);
      }),
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [90, "1 h 30"],
    [65, "1 h 05"],
    [120, "2 h"],
    [45, "45 min"],
    [0, "0 min"],
    [2250, "37 h 30"],
  ])("writes %i minutes as %j", (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });

  it("refuses negative or fractional minutes", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });

  it("writes what parseDuration reads back, through the form value too", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (minutes) => {
        expect(parseDuration(formatDuration(minutes))).toBe(minutes);
        expect(parseDuration(durationToInput(minutes))).toBe(minutes);
      }),
    );
  });
});

describe("minutesToHours", () => {
  it.each([
    [90, "1.5"],
    [60, "1"],
    [20, "0.3333"],
    [40, "0.6667"],
    [1, "0.0167"],
    [0, "0"],
    [1440, "24"],
  ])("writes %i minutes as %j hours", (minutes, hours) => {
    expect(minutesToHours(minutes)).toBe(hours);
  });

  it("stays within half a ten-thousandth of an hour of the exact value, with at most 4 decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (minutes) => {
        const hours = minutesToHours(minutes);
        expect(hours).toMatch(/^\d+(\.\d{1,4})?$/);
        // |hours × 60 − minutes| ≤ 0.00005 × 60, compared in integer ten-thousandths × 3.
        const [whole, fraction = ""] = hours.split(".");
        const tenThousandths = Number(whole) * 10_000 + Number(fraction.padEnd(4, "0"));
        expect(Math.abs(tenThousandths * 3 - minutes * 500)).toBeLessThanOrEqual(1.5);
      }),
    );
  });
});

describe("amountForMinutes", () => {
  it("charges the hourly rate pro rata, rounded half up to the cent", () => {
    expect(amountForMinutes(90, 6_000)).toBe(9_000);
    expect(amountForMinutes(20, 6_001)).toBe(2_000); // 2000.33
    expect(amountForMinutes(1, 30)).toBe(1); // 0.5 → 1
    expect(amountForMinutes(0, 10_000)).toBe(0);
  });

  it("is exact for large rates (no float rounding)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 0, max: 10_000_000_000 }), (minutes, rate) => {
        const exact = BigInt(minutes) * BigInt(rate);
        const cents = BigInt(amountForMinutes(minutes, rate));
        // cents × 60 is within 30 of the exact product (half up).
        expect(cents * 60n - exact <= 30n && exact - cents * 60n < 30n).toBe(true);
      }),
    );
  });
});

describe("elapsedMinutes", () => {
  it("rounds up to the next whole minute, and counts at least one", () => {
    const start = Date.UTC(2026, 10, 26, 9, 0, 0);
    expect(elapsedMinutes(start, start)).toBe(1);
    expect(elapsedMinutes(start, start + 1_000)).toBe(1);
    expect(elapsedMinutes(start, start + 60_000)).toBe(1);
    expect(elapsedMinutes(start, start + 60_001)).toBe(2);
    expect(elapsedMinutes(start, start + 90 * 60_000)).toBe(90);
  });
});
