import { describe, expect, it } from "vitest";
import { decodeSegment, hasDuplicateKeys, MAX_JSON_DEPTH, parseObject } from "../../src/token/json.js";

describe("hasDuplicateKeys", () => {
	it.each([
		["an empty object", "{}"],
		["distinct members", '{"a":1,"b":2,"c":3}'],
		["the same name in sibling objects", '{"a":{"x":1},"b":{"x":2}}'],
		["the same name in objects of an array", '[{"x":1},{"x":2}]'],
		["a name equal to a string value", '{"a":"a","b":"a"}'],
		["names that differ only in case", '{"alg":1,"ALG":2}'],
		["a value that looks like a duplicate member", '{"a":"\\",\\"a\\":1","b":2}'],
		["strings with braces and commas", '{"a":"{,}","b":"[,]","c":"}{"}'],
		["an escaped quote in a name", '{"a\\"b":1,"a":2,"b":3}'],
		["an escaped backslash closing a name", '{"a\\\\":1,"a":2}'],
		["empty objects between members", '{"a":{},"b":{},"c":[{},{}]}'],
		["arrays of scalars", '{"a":[1,"a",true,null],"b":[]}'],
		["whitespace everywhere", ' { "a" : 1 ,\n\t"b" : { "a" : 2 } } '],
		["a top-level string", '"a"'],
		["colons inside values", '{"a":"x:y","b":"::","c":["1:2"]}'],
		["a colon inside a name", '{"a:b":1,"a":2,"b":3}'],
		["a top-level string of colons", '":{:}:"'],
		["a top-level array of strings", '["a","a"]'],
		["deep nesting without duplicates", `${'{"a":'.repeat(200)}1${"}".repeat(200)}`],
	])("is false for %s", (_label, text) => {
		expect(hasDuplicateKeys(text, JSON.parse(text))).toBe(false);
	});

	it.each([
		["two equal members", '{"alg":"RS256","alg":"none"}'],
		["equal members far apart", '{"a":1,"b":2,"c":3,"a":4}'],
		["a duplicate in a nested object", '{"a":{"x":1,"x":2}}'],
		["a duplicate in an object inside an array", '{"a":[1,{"x":1,"x":2}]}'],
		["a duplicate after an empty object", '{"a":{},"a":{}}'],
		["a duplicate after a nested array", '{"a":[[1],[2]],"a":3}'],
		["a name and its \\u escape", '{"sub":"user","\\u0073ub":"admin"}'],
		["a fully escaped name", '{"alg":"RS256","\\u0061\\u006c\\u0067":"none"}'],
		["an escaped slash", '{"a/b":1,"a\\/b":2}'],
		["a surrogate pair and its escape", '{"😀":1,"\\ud83d\\ude00":2}'],
		["__proto__ twice", '{"__proto__":1,"__proto__":2}'],
		["empty names", '{"":1,"":2}'],
		["equal members whose values hold colons", '{"u":"http://a.example","u":"https://b.example"}'],
		["a duplicate beside a name with a colon", '{"a:b":1,"a":2,"a":3}'],
		["whitespace around the names", '{ "a" : 1 , "a" : 2 }'],
		["a duplicate deep inside", `${'{"a":'.repeat(50)}{"x":1,"x":2}${"}".repeat(50)}`],
	])("is true for %s", (_label, text) => {
		expect(hasDuplicateKeys(text, JSON.parse(text))).toBe(true);
	});
});

describe("parseObject", () => {
	it("refuses nesting deeper than the call stack without a throw (the text is not verified yet)", () => {
		const deep = 200_000;
		expect(parseObject(`{"a":${"[".repeat(deep)}{"x":1}${"]".repeat(deep)},"b":2}`)).toBeUndefined();
		expect(parseObject(`{"a":${'{"a":'.repeat(deep)}1${"}".repeat(deep)}}`)).toBeUndefined();
	});

	it(`takes ${MAX_JSON_DEPTH} levels of nesting and refuses ${MAX_JSON_DEPTH + 1} (arrays and objects alike)`, () => {
		expect(MAX_JSON_DEPTH).toBe(32);
		// The object itself is level 1: 30 arrays and the object inside them make 32.
		const arrays = (levels: number) =>
			`{"a":${"[".repeat(levels - 2)}{"x":1}${"]".repeat(levels - 2)},"b":2}`;
		expect(parseObject(arrays(32))).toMatchObject({ b: 2 });
		expect(parseObject(arrays(33))).toBeUndefined();
		const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
		expect(parseObject(objects(32))).toMatchObject({ a: {} });
		expect(parseObject(objects(33))).toBeUndefined();
		// Brackets inside strings are not nesting.
		expect(parseObject(`{"s":"${"[{".repeat(100)}","t":["]}"]}`)).toMatchObject({ t: ["]}"] });
	});

	it("still finds duplicate members in shallow objects, and depth and duplicates in one scan", () => {
		const deep = `{"a":${"[".repeat(40)}1${"]".repeat(40)}}`;
		expect(parseObject(deep)).toBeUndefined();
		expect(hasDuplicateKeys(deep, JSON.parse(deep))).toBe(false);
		expect(parseObject('{"a":{"x":1,"x":2}}')).toBeUndefined();
	});

	it("returns the object of a JSON object text", () => {
		expect(parseObject('{"alg":"ES256","kid":"k1","n":[1,2]}')).toEqual({
			alg: "ES256",
			kid: "k1",
			n: [1, 2],
		});
	});

	it.each([
		["invalid JSON", "{alg:1}"],
		["a trailing comma", '{"a":1,}'],
		["an array", '[{"a":1}]'],
		["null", "null"],
		["a string", '"{}"'],
		["a number", "1"],
		["true", "true"],
		["an empty text", ""],
		["a duplicate member", '{"alg":"RS256","alg":"HS256"}'],
		["a duplicate behind an escape", '{"iss":"a","\\u0069ss":"b"}'],
		["two concatenated objects", '{"a":1}{"b":2}'],
	])("returns undefined for %s", (_label, text) => {
		expect(parseObject(text)).toBeUndefined();
	});

	it("keeps a __proto__ member as an own property without touching the prototype", () => {
		const parsed = parseObject('{"__proto__":{"admin":true}}') as Record<string, unknown>;
		expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
		expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
		expect((parsed as { admin?: unknown }).admin).toBeUndefined();
	});
});

describe("decodeSegment", () => {
	it("decodes base64url to UTF-8 text", () => {
		expect(decodeSegment(Buffer.from('{"name":"Zoë ✓"}').toString("base64url"))).toBe('{"name":"Zoë ✓"}');
	});

	it("decodes the two characters that differ from base64", () => {
		// 0xfb 0xff 0xbf encodes to "-_-_" in base64url ("+/+/" in base64).
		expect(Buffer.from(decodeSegment("-_-_"), "utf8")).toEqual(Buffer.from("\ufffd\ufffd\ufffd", "utf8"));
	});
});
