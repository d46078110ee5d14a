/**
 * JSON parsing for untrusted files: a clear message with line and column on a syntax error, a nesting limit (so
 * a hostile `[[[[…` cannot exhaust the stack of later recursive steps), prototype keys removed, and the `NaN` /
 * `Infinity` that Python's `json.dumps` writes (ComfyUI embeds such JSON in images) read as `null`.
 */
import { UNSAFE_KEYS } from './object-info';

/** Deeper than any real workflow (the deepest real structure is about 8 levels). */
export const MAX_JSON_DEPTH = 256;

export type SafeJsonResult =
	| { ok: true; value: unknown; droppedKeys: string[]; repairedNumbers: boolean }
	| { ok: false; message: string; line?: number; column?: number };

/** Parses `text` as JSON; never throws. */
export function parseJsonSafely({ text }: { text: string }): SafeJsonResult {
	const depth = maxDepth(text);
	if (depth > MAX_JSON_DEPTH) {
		return {
			ok: false,
			message: `The JSON is nested more than ${MAX_JSON_DEPTH} levels deep; no workflow is.`
		};
	}
	const first = tryParse(text);
	if (first.ok) return first;
	// Python writes NaN/Infinity, which JSON does not allow; retry once with those tokens read as null.
	const repaired = replaceNonFiniteTokens(text);
	if (repaired !== text) {
		const second = tryParse(repaired);
		if (second.ok) return { ...second, repairedNumbers: true };
	}
	return first;
}

// A reviver doubles the time JSON.parse takes (a 100k-node file: about 0.4 s more). It is needed only when a
// prototype key may be in the text: spelled out, or behind a \u escape.
const MAY_HOLD_UNSAFE_KEY = new RegExp(`${[...UNSAFE_KEYS].map((k) => `"${k}"`).join('|')}|\\\\u`);

function tryParse(text: string): SafeJsonResult {
	const dropped = new Set<string>();
	try {
		if (!MAY_HOLD_UNSAFE_KEY.test(text))
			return { ok: true, value: JSON.parse(text) as unknown, droppedKeys: [], repairedNumbers: false };
		const value: unknown = JSON.parse(text, (key, v: unknown) => {
			if (UNSAFE_KEYS.has(key)) {
				dropped.add(key);
				return undefined;
			}
			return v;
		});
		return { ok: true, value, droppedKeys: [...dropped], repairedNumbers: false };
	} catch {
		// Engines word (and place) the error differently; find the offending offset ourselves.
		const position = findSyntaxError(text);
		if (position >= text.length) {
			return {
				ok: false,
				message:
					text.trim() === ''
						? 'The file is empty.'
						: 'The file is not valid JSON: it ends too early (is it truncated?).'
			};
		}
		const { line, column } = lineColumn(text, position);
		const near = JSON.stringify(text.slice(position, position + 20));
		return {
			ok: false,
			line,
			column,
			message: `The file is not valid JSON: unexpected text at line ${line}, column ${column} (near ${near}).`
		};
	}
}

/**
 * The offset of the first JSON syntax error in `text` (its length when the text ends too early). Only called
 * after `JSON.parse` failed, on text whose nesting is already bounded.
 */
export function findSyntaxError(text: string): number {
	let i = 0;
	const ws = () => {
		while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
	};
	const fail = () => {
		throw new SyntaxAt(i);
	};
	const literal = (word: string) => {
		for (const ch of word) {
			if (text[i] !== ch) fail();
			i++;
		}
	};
	const string = () => {
		i++; // opening quote
		for (;;) {
			if (i >= text.length) fail();
			const c = text.charCodeAt(i);
			if (c === 34) {
				i++;
				return;
			}
			if (c < 32) fail();
			if (c === 92) {
				i++;
				const e = text[i];
				if (e === 'u') {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
					i += 5;
				} else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
				else fail();
			} else i++;
		}
	};
	const number = () => {
		const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (!m || m[0] === '' || m[0] === '-') fail();
		i += m![0].length;
	};
	const value = (): void => {
		ws();
		const c = text[i];
		if (c === '{') {
			i++;
			ws();
			if (text[i] === '}') {
				i++;
				return;
			}
			for (;;) {
				ws();
				if (text[i] !== '"') fail();
				string();
				ws();
				if (text[i] !== ':') fail();
				i++;
				value();
				ws();
				if (text[i] === ',') i++;
				else if (text[i] === '}') {
					i++;
					return;
				} else fail();
			}
		} else if (c === '[') {
			i++;
			ws();
			if (text[i] === ']') {
				i++;
				return;
			}
			for (;;) {
				value();
				ws();
				if (text[i] === ',') i++;
				else if (text[i] === ']') {
					i++;
					return;
				} else fail();
			}
		} else if (c === '"') string();
		else if (c === 't') literal('true');
		else if (c === 'f') literal('false');
		else if (c === 'n') literal('null');
		else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
		else fail();
	};
	try {
		value();
		ws();
		if (i < text.length) fail();
	} catch (e) {
		if (e instanceof SyntaxAt) return Math.min(e.position, text.length);
		throw e;
	}
	return text.length;
}

class SyntaxAt {
	constructor(readonly position: number) {}
}

/** The deepest bracket nesting outside strings, found in one pass without parsing. */
export function maxDepth(text: string): number {
	let depth = 0;
	let max = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 92)
				i++; // backslash: skip the escaped character
			else if (c === 34) inString = false;
		} else if (c === 34) inString = true;
		else if (c === 91 || c === 123) {
			depth++;
			if (depth > max) max = depth;
		} else if (c === 93 || c === 125) depth--;
	}
	return max;
}

function lineColumn(text: string, position: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < position && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: position - lineStart + 1 };
}

/** Replaces bare NaN, Infinity and -Infinity (outside strings) with null. */
function replaceNonFiniteTokens(text: string): string {
	let out = '';
	let inString = false;
	let last = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') {
			inString = true;
			continue;
		}
		const token = text.startsWith('-Infinity', i)
			? '-Infinity'
			: text.startsWith('Infinity', i)
				? 'Infinity'
				: text.startsWith('NaN', i)
					? 'NaN'
					: undefined;
		if (token) {
			out += text.slice(last, i) + 'null';
			i += token.length - 1;
			last = i + 1;
		}
	}
	return last === 0 ? text : out + text.slice(last);
}
