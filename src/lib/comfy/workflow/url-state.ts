/**
 * Form state ⇄ URL fragment, and whole templates ⇄ share links.
 *
 * Form state: `#/generate/<template id>?prompt=a+cat,+watercolor&seed=42&seed.mode=random&cfg=7.5`. Keys are
 * parameter ids in template order (stable), values are plain text; a seed's mode is written as `<id>.mode` when
 * it differs from the template's. Decoding reports every unknown key and unreadable or invalid value.
 *
 * Share link: `#/share/v1.<base64url(deflate(JSON))>`: the whole template, so a browser that never saw it can
 * open it. Decoding is bounded (input and inflated size) and validated with `zTemplate`.
 */
import { Inflate, deflateSync, strFromU8, strToU8 } from 'fflate';
import type * as z from 'zod/mini';
import {
	zSeedMode,
	type FormValues,
	type ParameterDef,
	type ParameterValue,
	type SeedMode
} from './parameter-def';
import { parseJsonSafely } from './safe-json';
import { zTemplate, type Template } from './template';
import { quote } from './types';
import { validateValue } from './validate-values';
import { safeParse } from '../parse';

export const FORM_ROUTE = '#/generate/';
export const SHARE_ROUTE = '#/share/';
const SHARE_PREFIX = 'v1.';
/** Longest share link produced (characters of payload); browsers handle far more, chat apps often not. */
export const MAX_SHARE_CHARS = 256 * 1024;
/** Most JSON a share link may inflate to (a template is far smaller; this stops deflate bombs). */
export const MAX_SHARE_JSON_BYTES = 10 * 1024 * 1024;

/** One thing in a URL that could not be used as it is. */
export interface UrlIssue {
	key: string;
	value: string;
	code: 'unknown-parameter' | 'unreadable' | 'invalid-value' | 'duplicate';
	message: string;
}

/** The fragment for a form state. With `onlyChanged`, values equal to the defaults are left out. */
export function encodeFormState({
	templateId,
	parameters,
	values,
	seedModes = {},
	onlyChanged = false
}: {
	templateId: string;
	parameters: ParameterDef[];
	values: FormValues;
	seedModes?: Record<string, SeedMode>;
	onlyChanged?: boolean;
}): string {
	const parts: string[] = [];
	for (const p of parameters) {
		if (p.hidden) continue;
		const value = Object.hasOwn(values, p.id) ? values[p.id]! : p.default;
		if (!(onlyChanged && value === p.default)) parts.push(`${p.id}=${encodePart(formatValue(value))}`);
		const mode = Object.hasOwn(seedModes, p.id) ? seedModes[p.id] : undefined;
		if (p.seedMode && mode && mode !== p.seedMode) parts.push(`${p.id}.mode=${mode}`);
	}
	return `${FORM_ROUTE}${encodeURIComponent(templateId)}${parts.length > 0 ? `?${parts.join('&')}` : ''}`;
}

export type DecodedFormState =
	| {
			ok: true;
			templateId: string;
			/** Values to put in the form: those readable as the parameter's kind (even if out of range: the form shows why). */
			values: FormValues;
			seedModes: Record<string, SeedMode>;
			issues: UrlIssue[];
	  }
	| { ok: false; message: string };

/** Parses just the template id of a form URL (to find the template before decoding values). */
export function formTemplateId({ hash }: { hash: string }): string | undefined {
	const m = /^#?\/generate\/([^?#]+)/.exec(fragmentOf(hash));
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]!);
	} catch {
		return undefined;
	}
}

/** Reads a form URL against the template's parameters. `hash` may be a whole URL, a fragment, or `/generate/…`. */
export function decodeFormState({
	hash,
	parameters
}: {
	hash: string;
	parameters: ParameterDef[];
}): DecodedFormState {
	const fragment = fragmentOf(hash);
	const templateId = formTemplateId({ hash: fragment });
	if (templateId === undefined)
		return {
			ok: false,
			message: 'This link does not open a form (it should look like #/generate/<template>?…).'
		};
	const query = fragment.includes('?') ? fragment.slice(fragment.indexOf('?') + 1) : '';
	const byId = new Map(parameters.map((p) => [p.id, p]));
	const values: FormValues = {};
	const seedModes: Record<string, SeedMode> = {};
	const issues: UrlIssue[] = [];
	const seen = new Set<string>();
	for (const part of query.split('&')) {
		if (part === '') continue;
		const eq = part.indexOf('=');
		const rawKey = eq === -1 ? part : part.slice(0, eq);
		const rawValue = eq === -1 ? '' : part.slice(eq + 1);
		const key = decodePart(rawKey);
		const text = decodePart(rawValue);
		if (key === undefined || text === undefined) {
			issues.push({
				key: rawKey,
				value: rawValue,
				code: 'unreadable',
				message: `The link has a damaged part (${quote(part, 60)}); it was ignored.`
			});
			continue;
		}
		if (seen.has(key))
			issues.push({
				key,
				value: text,
				code: 'duplicate',
				message: `${quote(key)} appears more than once; the last value was used.`
			});
		seen.add(key);
		const modeOf = key.endsWith('.mode') ? byId.get(key.slice(0, -5)) : undefined;
		if (modeOf?.seedMode) {
			const mode = safeParse(zSeedMode, text);
			if (mode.success) seedModes[modeOf.id] = mode.data;
			else
				issues.push({
					key,
					value: text,
					code: 'invalid-value',
					message: `${quote(text)} is not a seed mode (fixed, random or increment).`
				});
			continue;
		}
		const p = byId.get(key);
		if (!p || p.hidden) {
			issues.push({
				key,
				value: text,
				code: 'unknown-parameter',
				message: `This template has no field ${quote(key)}; its value ${quote(text, 60)} was not used.`
			});
			continue;
		}
		const parsed = parseValue(p, text);
		if (!parsed.ok) {
			issues.push({
				key,
				value: text,
				code: 'unreadable',
				message: `${p.label}: ${quote(text, 60)} ${parsed.message}`
			});
			continue;
		}
		values[p.id] = parsed.value;
		const invalid = validateValue({ parameter: p, value: parsed.value });
		if (invalid)
			issues.push({ key, value: text, code: 'invalid-value', message: `${p.label}: ${invalid.message}` });
	}
	return { ok: true, templateId, values, seedModes, issues };
}

function formatValue(value: ParameterValue): string {
	if (value === null) return '';
	return String(value);
}

function parseValue(
	p: ParameterDef,
	text: string
): { ok: true; value: ParameterValue } | { ok: false; message: string } {
	switch (p.kind) {
		case 'INT':
			if (text === '') return { ok: true, value: null };
			return /^-?\d+$/.test(text)
				? { ok: true, value: Number(text) }
				: { ok: false, message: 'is not a whole number.' };
		case 'FLOAT':
			if (text === '') return { ok: true, value: null };
			return /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)
				? { ok: true, value: Number(text) }
				: { ok: false, message: 'is not a number.' };
		case 'BOOLEAN':
			if (text === 'true' || text === '1') return { ok: true, value: true };
			if (text === 'false' || text === '0') return { ok: true, value: false };
			return { ok: false, message: 'is not true or false.' };
		case 'STRING':
			return { ok: true, value: text };
		case 'COMBO':
		case 'IMAGE':
		case 'VIDEO':
		case 'AUDIO': {
			if (text === '') return { ok: true, value: null };
			// Options may be numbers: give back the option itself, so it round-trips with its type.
			const option = p.options?.find((o) => String(o) === text);
			return { ok: true, value: option ?? text };
		}
	}
}

/** Percent-encodes, then un-escapes what reads well and is safe in a fragment query; spaces become `+`. */
function encodePart(text: string): string {
	return encodeURIComponent(text)
		.replace(/%20/g, '+')
		.replace(/%2C/gi, ',')
		.replace(/%3A/gi, ':')
		.replace(/%2F/gi, '/')
		.replace(/%40/gi, '@');
}

function decodePart(text: string): string | undefined {
	try {
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return undefined;
	}
}

function fragmentOf(hash: string): string {
	const i = hash.indexOf('#');
	return i === -1 ? hash : hash.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Share links

export type ShareEncodeResult =
	{ ok: true; hash: string; droppedUi: boolean } | { ok: false; message: string };

/** The share fragment for a template. The editor workflow is left out when the link would be too long with it. */
export function encodeShareLink({
	template,
	maxChars = MAX_SHARE_CHARS
}: {
	template: Template;
	maxChars?: number;
}): ShareEncodeResult {
	const encode = (t: Template) =>
		SHARE_PREFIX + toBase64Url(deflateSync(strToU8(JSON.stringify(t)), { level: 9 }));
	let payload = encode(template);
	let droppedUi = false;
	if (payload.length > maxChars && template.ui) {
		payload = encode({ ...template, ui: undefined });
		droppedUi = true;
	}
	if (payload.length > maxChars) {
		return {
			ok: false,
			message: `This template is too large to fit in a link (${Math.round(payload.length / 1024)} kB compressed; the limit is ${Math.round(maxChars / 1024)} kB). Share the workflow file instead.`
		};
	}
	return { ok: true, hash: `${SHARE_ROUTE}${payload}`, droppedUi };
}

export type ShareDecodeResult =
	{ ok: true; template: Template } | { ok: false; message: string; details?: string[] };

/** Reads a share link (whole URL, fragment, or payload). Never throws. */
export function decodeShareLink({
	hash,
	maxChars = MAX_SHARE_CHARS
}: {
	hash: string;
	maxChars?: number;
}): ShareDecodeResult {
	let payload = fragmentOf(hash.trim());
	if (payload.startsWith('/share/')) payload = payload.slice('/share/'.length);
	const broken = 'This share link is damaged or incomplete (was it cut off when copied?).';
	if (!payload.startsWith(SHARE_PREFIX)) {
		return {
			ok: false,
			message: /^v\d+\./.test(payload)
				? 'This share link was made by a newer version of Comfy Deck; update it to open the link.'
				: broken
		};
	}
	payload = payload.slice(SHARE_PREFIX.length);
	if (payload.length > maxChars * 1.1)
		return { ok: false, message: 'This share link is too long to be one of ours.' };
	const compressed = fromBase64Url(payload);
	if (!compressed) return { ok: false, message: broken };
	const json = inflateBounded(compressed, MAX_SHARE_JSON_BYTES);
	if (json === undefined) return { ok: false, message: broken };
	const parsed = parseJsonSafely({ text: json });
	if (!parsed.ok) return { ok: false, message: broken };
	const template = safeParse(zTemplate, parsed.value);
	if (!template.success) {
		return {
			ok: false,
			message: 'This share link does not hold a valid template.',
			details: zodDetails(template.error)
		};
	}
	return { ok: true, template: template.data };
}

function zodDetails(error: z.core.$ZodError): string[] {
	return error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || 'top level'}: ${i.message}`);
}

function inflateBounded(data: Uint8Array, limit: number): string | undefined {
	const chunks: Uint8Array[] = [];
	let total = 0;
	let tooBig = false;
	const inflater = new Inflate((chunk) => {
		total += chunk.length;
		if (total > limit) tooBig = true;
		else chunks.push(chunk);
	});
	try {
		// Small pushes keep each burst of output bounded, so a bomb is caught early.
		for (let i = 0; i < data.length && !tooBig; i += 1024)
			inflater.push(data.subarray(i, i + 1024), i + 1024 >= data.length);
	} catch {
		return undefined;
	}
	if (tooBig || total === 0) return undefined;
	const out = new Uint8Array(total);
	let o = 0;
	for (const c of chunks) {
		out.set(c, o);
		o += c.length;
	}
	try {
		return strFromU8(out);
	} catch {
		return undefined;
	}
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
	let out = '';
	for (let i = 0; i < bytes.length; i += 3) {
		const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
		out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
		if (i + 1 < bytes.length) out += B64[(n >> 6) & 63]!;
		if (i + 2 < bytes.length) out += B64[n & 63]!;
	}
	return out;
}

/** Inverse of `toBase64Url`; undefined for any character outside the alphabet or an impossible length. */
export function fromBase64Url(text: string): Uint8Array | undefined {
	if (text.length % 4 === 1) return undefined;
	const out = new Uint8Array(Math.floor((text.length * 3) / 4));
	let o = 0;
	for (let i = 0; i < text.length; i += 4) {
		let n = 0;
		const group = text.slice(i, i + 4);
		for (let j = 0; j < 4; j++) {
			const c = group[j];
			const v = c === undefined ? 0 : B64.indexOf(c);
			if (v < 0) return undefined;
			n = (n << 6) | v;
		}
		out[o++] = (n >> 16) & 255;
		if (group.length > 2) out[o++] = (n >> 8) & 255;
		if (group.length > 3) out[o++] = n & 255;
	}
	return out.subarray(0, o);
}
