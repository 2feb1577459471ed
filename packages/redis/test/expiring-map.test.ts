import { describe, expect, it } from "vitest";
import { ExpiringMap } from "../src/expiring-map.js";

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a whole second

describe("ExpiringMap", () => {
	it("keeps an entry until the end of the second its time (plus the lifetime) falls in", () => {
		const map = new ExpiringMap(0, T0);
		expect(map.set("a", T0 + 1500)).toBe(true);
		expect(map.sweep(T0 + 1999)).toBe(0);
		expect(map.times.get("a")).toBe(T0 + 1500);
		expect(map.sweep(T0 + 2000)).toBe(1);
		expect(map.size).toBe(0);
	});

	it("keeps the later time of an ID set twice, and drops it only when that one expires", () => {
		const map = new ExpiringMap(0, T0);
		map.set("a", T0 + 1000);
		expect(map.set("a", T0 + 5000)).toBe(false);
		expect(map.set("a", T0 + 2000)).toBe(false);
		expect(map.times.get("a")).toBe(T0 + 5000);
		expect(map.sweep(T0 + 3000)).toBe(0);
		expect(map.size).toBe(1);
		expect(map.sweep(T0 + 6000)).toBe(1);
	});

	it("adds a lifetime to every time, and keeps entries for good with an infinite one", () => {
		const cutOffs = new ExpiringMap(10_000, T0);
		cutOffs.set("sub", T0);
		expect(cutOffs.expired(T0, T0 + 9999)).toBe(false);
		expect(cutOffs.expired(T0, T0 + 10_000)).toBe(true);
		expect(cutOffs.sweep(T0 + 10_999)).toBe(0);
		expect(cutOffs.sweep(T0 + 11_000)).toBe(1);
		const kept = new ExpiringMap(Number.POSITIVE_INFINITY, T0);
		kept.set("sub", T0);
		expect(kept.sweep(T0 + 10 ** 12)).toBe(0);
		expect(kept.times.get("sub")).toBe(T0);
	});

	it("files an entry set with a time already past into the next sweep", () => {
		const map = new ExpiringMap(0, T0 + 10_000);
		map.set("late", T0);
		expect(map.sweep(T0 + 10_999)).toBe(0);
		expect(map.sweep(T0 + 11_000)).toBe(1);
	});

	it("catches up after a long gap by visiting its buckets, not every second", () => {
		const map = new ExpiringMap(0, T0);
		for (let i = 0; i < 1000; i++) map.set(`id-${i}`, T0 + i * 1000);
		map.set("forever", Number.POSITIVE_INFINITY);
		const started = performance.now();
		expect(map.sweep(T0 + 10 ** 12)).toBe(1000);
		expect(performance.now() - started).toBeLessThan(1000);
		expect([...map.times.keys()]).toEqual(["forever"]);
	});

	it("clear() forgets everything", () => {
		const map = new ExpiringMap(0, T0);
		map.set("a", T0 + 1000);
		map.clear();
		expect(map.size).toBe(0);
		expect(map.sweep(T0 + 5000)).toBe(0);
	});
});
