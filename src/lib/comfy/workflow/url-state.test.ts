import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importWorkflowFile } from './import-file';
import type { FormValues, ParameterDef } from './parameter-def';
import { detectParameters } from './parameters';
import { createTemplate, type Template } from './template';
import { fixtureBytes, realObjectInfo } from './testing/fixtures';
import {
	decodeFormState,
	decodeShareLink,
	encodeFormState,
	encodeShareLink,
	formTemplateId,
	fromBase64Url,
	toBase64Url
} from './url-state';

const base = { group: 'G', required: false, hidden: false } as const;
const P: ParameterDef[] = [
	{
		...base,
		id: 'prompt',
		label: 'Prompt',
		kind: 'STRING',
		targets: [{ nodeId: '6', input: 'text' }],
		default: 'a cat',
		multiline: true
	},
	{
		...base,
		id: 'seed',
		label: 'Seed',
		kind: 'INT',
		targets: [{ nodeId: '3', input: 'seed' }],
		default: 1,
		min: 0,
		max: 2 ** 64,
		seedMode: 'random'
	},
	{
		...base,
		id: 'cfg',
		label: 'CFG',
		kind: 'FLOAT',
		targets: [{ nodeId: '3', input: 'cfg' }],
		default: 8,
		min: -100,
		max: 100
	},
	{
		...base,
		id: 'previews',
		label: 'Previews',
		kind: 'BOOLEAN',
		targets: [{ nodeId: '10', input: 'send_previews' }],
		default: true
	},
	{
		...base,
		id: 'sampler',
		label: 'Sampler',
		kind: 'COMBO',
		targets: [{ nodeId: '3', input: 'sampler_name' }],
		default: 'euler',
		options: ['euler', 'dpm++ 2m', 'a/b:c,d']
	},
	{
		...base,
		id: 'level',
		label: 'Level',
		kind: 'COMBO',
		targets: [{ nodeId: '7', input: 'level' }],
		default: 1,
		options: [1, 2, 4]
	},
	{
		...base,
		id: 'image',
		label: 'Image',
		kind: 'IMAGE',
		targets: [{ nodeId: '10', input: 'image' }],
		default: 'example.png',
		options: ['example.png']
	},
	{
		...base,
		id: 'clip',
		label: 'CLIP',
		kind: 'COMBO',
		targets: [{ nodeId: '14', input: 'clip_name' }],
		default: null,
		options: []
	},
	{
		...base,
		id: 'secret',
		label: 'Hidden',
		kind: 'STRING',
		targets: [{ nodeId: '9', input: 'filename_prefix' }],
		default: 'x',
		hidden: true
	}
];

function roundTrip(values: FormValues) {
	const hash = encodeFormState({ templateId: 'my-template', parameters: P, values });
	const decoded = decodeFormState({ hash, parameters: P });
	if (!decoded.ok) throw new Error(decoded.message);
	return { hash, decoded };
}

describe('form state URLs', () => {
	it('are readable, in template order, without hidden parameters', () => {
		const { hash } = roundTrip({ prompt: 'a cat, watercolor', seed: 42, cfg: 7.5 });
		expect(hash).toBe(
			'#/generate/my-template?prompt=a+cat,+watercolor&seed=42&cfg=7.5&previews=true&sampler=euler&level=1&image=example.png&clip='
		);
	});

	it.each<[string, FormValues]>([
		[
			'text with every awkward character',
			{ prompt: 'a+b & c=d %20 #tag ?q /x\\y "quotes" <script>alert(1)</script>\nline 2\ttab' }
		],
		['unicode and emoji', { prompt: 'café 日本語 🛈 \u{1F600}' }],
		['empty text', { prompt: '' }],
		['big seed', { seed: 1125899906842624 }],
		['zero and negative floats', { cfg: -0.5 }],
		['tiny float', { cfg: 1e-7 }],
		['float with many digits', { cfg: 0.8700000000000001 }],
		['false boolean', { previews: false }],
		['combo option with spaces, slash, colon and comma', { sampler: 'a/b:c,d' }],
		['numeric combo option keeps its type', { level: 4 }],
		['image in a subfolder', { image: 'harness/harness_upload (1).png' }],
		['null combo', { clip: null }]
	])('round-trips %s', (_name, values) => {
		const { decoded } = roundTrip(values);
		expect(decoded.ok && decoded.issues).toEqual([]);
		expect(decoded.ok && decoded.values).toMatchObject(values);
		expect(decoded.ok && Object.keys(decoded.values)).toEqual([
			'prompt',
			'seed',
			'cfg',
			'previews',
			'sampler',
			'level',
			'image',
			'clip'
		]);
	});

	it('write a seed mode only when it differs from the template', () => {
		const same = encodeFormState({
			templateId: 't',
			parameters: P,
			values: {},
			seedModes: { seed: 'random' },
			onlyChanged: true
		});
		expect(same).toBe('#/generate/t');
		const hash = encodeFormState({
			templateId: 't',
			parameters: P,
			values: { seed: 7 },
			seedModes: { seed: 'increment' },
			onlyChanged: true
		});
		expect(hash).toBe('#/generate/t?seed=7&seed.mode=increment');
		expect(decodeFormState({ hash, parameters: P })).toMatchObject({
			ok: true,
			values: { seed: 7 },
			seedModes: { seed: 'increment' },
			issues: []
		});
	});

	it('read a whole URL and find the template id first', () => {
		const url = 'https://deck.example/app/#/generate/sdxl-portrait?steps=30';
		expect(formTemplateId({ hash: url })).toBe('sdxl-portrait');
		expect(decodeFormState({ hash: url, parameters: [] })).toMatchObject({
			ok: true,
			templateId: 'sdxl-portrait'
		});
		expect(decodeFormState({ hash: '#/history', parameters: P })).toMatchObject({ ok: false });
	});

	it('report unknown, unreadable, invalid, duplicate and damaged values, never drop them silently', () => {
		const hash =
			'#/generate/t?steps=30&seed=abc&cfg=500&previews=maybe&sampler=heun&prompt=a&prompt=b&bad=%E0%A4%A&seed.mode=chaos&secret=leak';
		const decoded = decodeFormState({ hash, parameters: P });
		expect(decoded.ok && decoded.issues.map((i) => [i.key, i.code])).toEqual([
			['steps', 'unknown-parameter'],
			['seed', 'unreadable'],
			['cfg', 'invalid-value'],
			['previews', 'unreadable'],
			['sampler', 'invalid-value'],
			['prompt', 'duplicate'],
			['bad', 'unreadable'],
			['seed.mode', 'invalid-value'],
			['secret', 'unknown-parameter']
		]);
		// Readable but out-of-range values still reach the form, which shows why they are wrong.
		expect(decoded.ok && decoded.values).toEqual({ cfg: 500, sampler: 'heun', prompt: 'b' });
		const messages = decoded.ok ? decoded.issues.map((i) => i.message) : [];
		expect(messages[0]).toBe('This template has no field "steps"; its value "30" was not used.');
		expect(messages[1]).toBe('Seed: "abc" is not a whole number.');
		expect(messages[2]).toBe('CFG: Must be at most 100.');
	});
});

async function realTemplate(): Promise<Template> {
	const objectInfo = realObjectInfo();
	const result = await importWorkflowFile({
		name: 'sdxl.json',
		bytes: fixtureBytes('workflows/ui/sdxl-base-refiner-primitives-notes.json'),
		objectInfo
	});
	if (!result.ok) throw new Error(result.error.message);
	const parameters = detectParameters({ api: result.api, objectInfo, controls: result.controls });
	return createTemplate({
		name: 'SDXL base + refiner',
		api: result.api,
		ui: result.ui,
		parameters,
		source: result.kind,
		now: 1_700_000_000_000
	});
}

describe('share links', () => {
	it('carry the whole template, editor workflow included', async () => {
		const template = await realTemplate();
		const link = encodeShareLink({ template });
		expect(link.ok && link.hash).toMatch(/^#\/share\/v1\.[A-Za-z0-9_-]+$/);
		expect(link.ok && link.droppedUi).toBe(false);
		const decoded = decodeShareLink({ hash: link.ok ? `https://elsewhere.example/${link.hash}` : '' });
		expect(decoded).toEqual({ ok: true, template });
	});

	it('leave the editor workflow out when it would not fit', async () => {
		const template = await realTemplate();
		const link = encodeShareLink({ template, maxChars: 6000 });
		expect(link).toMatchObject({ ok: true, droppedUi: true });
		const decoded = decodeShareLink({ hash: link.ok ? link.hash : '', maxChars: 6000 });
		expect(decoded.ok && decoded.template.ui).toBeUndefined();
		expect(decoded.ok && decoded.template.parameters).toEqual(template.parameters);
	});

	it('refuse to make a link that is too long', async () => {
		const link = encodeShareLink({ template: await realTemplate(), maxChars: 500 });
		expect(!link.ok && link.message).toContain('too large to fit in a link');
	});

	it.each([
		['empty', ''],
		['no version', '#/share/abc'],
		['cut off', '#/share/v1.eJzLSM3JyVcozy'],
		['bad characters', '#/share/v1.<script>'],
		['not deflate', `#/share/v1.${toBase64Url(strToU8('hello'))}`],
		['deflated non-JSON', `#/share/v1.${toBase64Url(deflateSync(strToU8('not json')))}`],
		[
			'deflated JSON of the wrong shape',
			`#/share/v1.${toBase64Url(deflateSync(strToU8('{"version":1,"id":"x"}')))}`
		]
	])('report a damaged link (%s)', (_name, hash) => {
		const decoded = decodeShareLink({ hash });
		expect(decoded.ok).toBe(false);
		expect(!decoded.ok && decoded.message).toMatch(/damaged|valid template/);
	});

	it('say so when a newer version made the link', () => {
		expect(decodeShareLink({ hash: '#/share/v2.abc' })).toEqual({
			ok: false,
			message: 'This share link was made by a newer version of Comfy Deck; update it to open the link.'
		});
	});

	it('stop a deflate bomb', () => {
		const bomb = deflateSync(new Uint8Array(20 * 1024 * 1024), { level: 9 });
		expect(decodeShareLink({ hash: `#/share/v1.${toBase64Url(bomb)}` })).toMatchObject({ ok: false });
	});

	it('name the path of a template that fails validation', async () => {
		const template = await realTemplate();
		const bad = {
			...template,
			parameters: [{ ...template.parameters[0]!, targets: [{ nodeId: '999', input: 'text' }] }]
		};
		const payload = toBase64Url(deflateSync(strToU8(JSON.stringify(bad))));
		const decoded = decodeShareLink({ hash: `#/share/v1.${payload}` });
		expect(!decoded.ok && decoded.details?.[0]).toBe(
			'parameters.0.targets.0.nodeId: Parameter "Prompt" writes to node "999", which is not in the workflow.'
		);
	});
});

describe('base64url', () => {
	it('round-trips every length', () => {
		for (let n = 0; n < 10; n++) {
			const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 250) % 256);
			expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
		}
		expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
		expect(fromBase64Url('a')).toBeUndefined();
		expect(fromBase64Url('ab=c')).toBeUndefined();
	});
});
