import { describe, expect, it } from 'vitest';
import { formatPath, importWorkflowFile, MAX_IMPORT_NODES } from './import-file';
import { fixtureBytes, fixtureJson, realObjectInfo, uiWorkflowNames } from './testing/fixtures';
import { pngWithText } from './testing/png';

const objectInfo = realObjectInfo();
const enc = (s: string) => new TextEncoder().encode(s);
const expectedInvert = fixtureJson('images/invert-png.expected.json') as {
	prompt: unknown;
	workflow: unknown;
};
const invertApi = JSON.stringify(expectedInvert.prompt);
const invertUi = JSON.stringify(expectedInvert.workflow);

describe('importWorkflowFile: good files', () => {
	it('imports API-format JSON and checks it', async () => {
		const result = await importWorkflowFile({ name: 'invert.json', bytes: enc(invertApi), objectInfo });
		expect(result).toMatchObject({
			ok: true,
			kind: 'api',
			suggestedName: 'invert',
			warnings: [],
			issues: []
		});
		expect(result.ok && result.api).toEqual(expectedInvert.prompt);
	});

	it('imports pasted text without a server (unchecked)', async () => {
		const result = await importWorkflowFile({ text: invertApi });
		expect(result).toMatchObject({ ok: true, kind: 'api', issues: [], suggestedName: 'Imported workflow' });
	});

	it('imports UI-format JSON by converting it', async () => {
		const result = await importWorkflowFile({ name: 'x.json', bytes: enc(invertUi), objectInfo });
		expect(result).toMatchObject({ ok: true, kind: 'ui' });
		expect(result.ok && result.api).toEqual(expectedInvert.prompt);
		expect(result.ok && result.ui?.nodes).toHaveLength(3);
	});

	it.each(uiWorkflowNames())('imports the UI fixture %s', async (file) => {
		const result = await importWorkflowFile({
			name: file,
			bytes: fixtureBytes(`workflows/ui/${file}`),
			objectInfo
		});
		expect(result.ok && result.kind).toBe('ui');
	});

	it('imports a PNG saved by ComfyUI with its editor workflow', async () => {
		const result = await importWorkflowFile({
			name: 'a.png',
			bytes: fixtureBytes('images/invert-png.png'),
			objectInfo
		});
		expect(result).toMatchObject({ ok: true, kind: 'png', issues: [], suggestedName: 'a' });
		expect(result.ok && result.api).toEqual(expectedInvert.prompt);
		expect(result.ok && result.ui).toEqual(expectedInvert.workflow);
	});

	it('imports a WebP saved by ComfyUI and reads its seed control', async () => {
		const result = await importWorkflowFile({
			name: 'b.webp',
			bytes: fixtureBytes('images/slow-seed-webp.webp'),
			objectInfo
		});
		expect(result).toMatchObject({
			ok: true,
			kind: 'webp',
			controls: [{ nodeId: '1', input: 'seed', mode: 'randomize' }]
		});
	});

	it('converts the workflow of an image that has no prompt', async () => {
		const result = await importWorkflowFile({ bytes: pngWithText({ workflow: invertUi }), objectInfo });
		expect(result.ok && result.kind).toBe('png');
		expect(result.ok && result.api).toEqual(expectedInvert.prompt);
	});

	it('unwraps a saved POST /prompt body and takes titles from its editor workflow', async () => {
		const ui = JSON.parse(invertUi) as { nodes: { title?: string }[] };
		ui.nodes[0]!.title = 'deck: size';
		const body = JSON.stringify({
			prompt: expectedInvert.prompt,
			extra_data: { extra_pnginfo: { workflow: ui } }
		});
		const result = await importWorkflowFile({ text: body, objectInfo });
		expect(result.ok && result.api['1']?._meta?.title).toBe('deck: size');
	});

	it('accepts a UTF-8 byte order mark', async () => {
		const result = await importWorkflowFile({ bytes: enc(`\uFEFF${invertApi}`) });
		expect(result.ok).toBe(true);
	});

	it('keeps markup in values as plain data and reports an unknown class by name', async () => {
		const api = {
			'1': { class_type: '<img src=x onerror=alert(1)>', inputs: { text: '<script>alert(1)</script>' } }
		};
		const result = await importWorkflowFile({ text: JSON.stringify(api), objectInfo });
		expect(result.ok && result.api['1']?.inputs.text).toBe('<script>alert(1)</script>');
		expect(result.ok && result.issues.map((i) => i.code)).toEqual(['unknown-class', 'no-output']);
	});
});

const big = (n: number) => new Uint8Array(n);
const deep = '['.repeat(5000) + ']'.repeat(5000);
const node = (extra: object) => ({ id: 1, type: 'EmptyImage', ...extra });

/** Bad files: each must give its clear message, and none may throw. */
const BAD_FILES: {
	name: string;
	input: { bytes?: Uint8Array; text?: string };
	code: string;
	says: RegExp;
}[] = [
	{ name: 'empty bytes', input: { bytes: big(0) }, code: 'empty', says: /empty/ },
	{ name: 'whitespace only', input: { text: ' \n\t ' }, code: 'empty', says: /empty/ },
	{ name: 'plain text', input: { bytes: enc('hello world') }, code: 'not-json', says: /line 1, column 1/ },
	{
		name: 'truncated API JSON',
		input: { text: invertApi.slice(0, 60) },
		code: 'not-json',
		says: /ends too early/
	},
	{
		name: 'truncated UI JSON',
		input: { text: invertUi.slice(0, invertUi.length - 3) },
		code: 'not-json',
		says: /ends too early/
	},
	{
		name: 'trailing comma',
		input: { text: '{"1": {"class_type": "X", "inputs": {},}}' },
		code: 'not-json',
		says: /line 1, column 40/
	},
	{ name: 'single quotes', input: { text: "{'a': 1}" }, code: 'not-json', says: /unexpected text/ },
	{
		name: 'HTML page',
		input: { text: '<!doctype html><html><script>alert(1)</script></html>' },
		code: 'not-json',
		says: /not valid JSON/
	},
	{
		name: 'JSON number',
		input: { text: '42' },
		code: 'wrong-shape',
		says: /a number, not a ComfyUI workflow/
	},
	{
		name: 'JSON string',
		input: { text: '"<script>alert(1)</script>"' },
		code: 'wrong-shape',
		says: /a string/
	},
	{ name: 'JSON null', input: { text: 'null' }, code: 'wrong-shape', says: /null/ },
	{ name: 'JSON array', input: { text: '[1, 2, 3]' }, code: 'wrong-shape', says: /a list/ },
	{ name: 'empty object', input: { text: '{}' }, code: 'empty-workflow', says: /no nodes/ },
	{
		name: 'unrelated object',
		input: { text: '{"name": "package", "version": "1.0"}' },
		code: 'wrong-shape',
		says: /"name", "version"/
	},
	{
		name: 'API node without inputs',
		input: { text: '{"1": {"class_type": "X"}}' },
		code: 'wrong-shape',
		says: /"1"\]\.inputs|1\.inputs|\["1"\]\.inputs/
	},
	{
		name: 'API class_type not a string',
		input: { text: '{"1": {"class_type": 5, "inputs": {}}}' },
		code: 'wrong-shape',
		says: /class_type/
	},
	{
		name: 'API inputs is a list',
		input: { text: '{"1": {"class_type": "X", "inputs": []}}' },
		code: 'wrong-shape',
		says: /inputs/
	},
	{
		name: 'API mixed with junk',
		input: { text: '{"1": {"class_type": "X", "inputs": {}}, "2": 7}' },
		code: 'wrong-shape',
		says: /\["2"\]/
	},
	{ name: 'empty prompt body', input: { text: '{"prompt": {}}' }, code: 'empty-workflow', says: /no nodes/ },
	{
		name: 'UI nodes not objects',
		input: { text: '{"nodes": [1, 2]}' },
		code: 'wrong-shape',
		says: /nodes\[0\]/
	},
	{
		name: 'UI node without type',
		input: { text: JSON.stringify({ nodes: [{ id: 1 }] }) },
		code: 'wrong-shape',
		says: /nodes\[0\]\.type/
	},
	{
		name: 'UI links malformed',
		input: { text: JSON.stringify({ nodes: [node({})], links: [[1, 2]] }) },
		code: 'wrong-shape',
		says: /links\[0\]/
	},
	{
		name: 'UI without nodes',
		input: { text: JSON.stringify({ nodes: [], links: [] }) },
		code: 'empty-workflow',
		says: /no nodes/
	},
	{
		name: 'UI only notes',
		input: { text: JSON.stringify({ nodes: [{ id: 1, type: 'Note', widgets_values: ['hi'] }] }) },
		code: 'empty-workflow',
		says: /only notes/
	},
	{
		name: 'UI group node without definition',
		input: { text: JSON.stringify({ nodes: [{ id: 1, type: 'workflow>x' }] }) },
		code: 'group-node-missing',
		says: /no definition/
	},
	{
		name: 'UI subgraph containing itself',
		input: {
			text: JSON.stringify({
				nodes: [{ id: 1, type: 's' }],
				definitions: { subgraphs: [{ id: 's', nodes: [{ id: 1, type: 's' }] }] }
			})
		},
		code: 'subgraph-too-deep',
		says: /nested/
	},
	{
		name: 'UI duplicate ids',
		input: { text: JSON.stringify({ nodes: [node({}), node({})] }) },
		code: 'duplicate-node-id',
		says: /share the id/
	},
	{ name: 'deep nesting', input: { text: deep }, code: 'not-json', says: /nested more than/ },
	{
		name: '50 MB file',
		input: { bytes: big(50 * 1024 * 1024) },
		code: 'too-large',
		says: /50\.0 MB.*at most 10\.0 MB/
	},
	{
		name: '11 MB pasted text',
		input: { text: ' '.repeat(11 * 1024 * 1024) },
		code: 'too-large',
		says: /at most 10\.0 MB/
	},
	{
		name: 'binary junk',
		input: { bytes: Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256) },
		code: 'not-text',
		says: /neither a workflow/
	},
	{ name: 'text with NUL bytes', input: { bytes: enc('{"a":\u0000 1}') }, code: 'not-text', says: /neither/ },
	{
		name: 'JPEG',
		input: { bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46) },
		code: 'unsupported-image',
		says: /JPEG image/
	},
	{ name: 'GIF', input: { bytes: enc('GIF89a\u0001\u0000') }, code: 'unsupported-image', says: /GIF image/ },
	{
		name: 'PNG without metadata',
		input: { bytes: pngWithText({}) },
		code: 'no-metadata',
		says: /holds no ComfyUI workflow/
	},
	{
		name: 'PNG with broken metadata',
		input: { bytes: pngWithText({ prompt: '{"1": ', workflow: 'nope' }) },
		code: 'no-metadata',
		says: /could be read/
	},
	{
		name: 'truncated PNG',
		input: { bytes: fixtureBytes('images/invert-png.png').slice(0, 30) },
		code: 'no-metadata',
		says: /PNG/
	},
	{
		name: 'truncated WebP',
		input: { bytes: fixtureBytes('images/slow-seed-webp.webp').slice(0, 20) },
		code: 'no-metadata',
		says: /WEBP/
	},
	{
		name: 'too many nodes',
		input: {
			text: JSON.stringify(
				Object.fromEntries(
					Array.from({ length: 6000 }, (_, i) => [String(i), { class_type: 'X', inputs: {} }])
				)
			)
		},
		code: 'too-many-nodes',
		says: /6000 nodes/
	}
];

describe('importWorkflowFile: bad files', () => {
	it('refuses for the limit, not by accident: one node or byte less than a refused file is let through', async () => {
		const nodes = (count: number) =>
			JSON.stringify(
				Object.fromEntries(
					Array.from({ length: count }, (_, i) => [
						String(i),
						{ class_type: 'ImageInvert', inputs: { image: [String(Math.max(0, i - 1)), 0] } }
					])
				)
			);
		const atLimit = await importWorkflowFile({ text: nodes(MAX_IMPORT_NODES), objectInfo });
		expect(!atLimit.ok && atLimit.error.code).not.toBe('too-many-nodes');
		const overLimit = await importWorkflowFile({ text: nodes(MAX_IMPORT_NODES + 1), objectInfo });
		expect(!overLimit.ok && overLimit.error.code).toBe('too-many-nodes');

		const text = '{"1": {"class_type": "ImageInvert", "inputs": {}}}';
		const fits = await importWorkflowFile({ text, objectInfo, maxBytes: text.length });
		expect(!fits.ok && fits.error.code).not.toBe('too-large');
		const tooBig = await importWorkflowFile({ text, objectInfo, maxBytes: text.length - 1 });
		expect(!tooBig.ok && tooBig.error.code).toBe('too-large');
	});

	it.each(BAD_FILES)('$name → $code', async ({ input, code, says }) => {
		const result = await importWorkflowFile({ name: 'file', ...input, objectInfo });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.error.code).toBe(code);
		expect(result.error.message).toMatch(says);
		// Plain sentences: no raw markup from the file beyond what is quoted, no stack traces.
		expect(result.error.message).not.toMatch(/at Object\.|TypeError|undefined/);
	});

	it('a UI workflow needs a server', async () => {
		const result = await importWorkflowFile({ text: invertUi });
		expect(!result.ok && result.error.code).toBe('needs-server');
	});

	it('prototype keys are dropped with a warning, never applied', async () => {
		const text = `{"__proto__": {"polluted": 1}, "1": {"class_type": "ImageInvert", "inputs": {"constructor": 1, "image": ["1", 0]}}}`;
		const result = await importWorkflowFile({ text });
		expect(result.ok && result.warnings.map((w) => w.code)).toEqual(['unsafe-keys']);
		expect(result.ok && result.api['1']?.inputs).toEqual({ image: ['1', 0] });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('a shape error names the path', async () => {
		const result = await importWorkflowFile({
			text: '{"nodes": [{"id": 1, "type": "X", "inputs": [{"name": 3}]}]}'
		});
		expect(!result.ok && result.error.details?.[0]).toMatch(
			/^nodes\[0\]\.inputs\[0\]\.name: expected text, found a number$/
		);
	});
});

describe('formatPath', () => {
	it('writes paths like code', () => {
		expect(formatPath(['nodes', 3, 'inputs', 0, 'name'])).toBe('nodes[3].inputs[0].name');
		expect(formatPath(['12', 'class_type'])).toBe('["12"].class_type');
	});
});
