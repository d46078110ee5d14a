import { describe, expect, it } from 'vitest';
import type { ParameterDef } from './parameter-def';
import { fixtureJson } from './testing/fixtures';
import { mapNodeErrorsToParameters, validateValue, validateValues } from './validate-values';

const base = { group: 'G', required: true, hidden: false, default: null } as const;
const width: ParameterDef = {
	...base,
	id: 'width',
	label: 'Width',
	kind: 'INT',
	targets: [{ nodeId: '1', input: 'width' }],
	min: 16,
	max: 16384,
	step: 8,
	default: 512
};
const cfg: ParameterDef = {
	...base,
	id: 'cfg',
	label: 'CFG',
	kind: 'FLOAT',
	targets: [{ nodeId: '3', input: 'cfg' }],
	min: 0,
	max: 100,
	step: 0.1
};
const prompt: ParameterDef = {
	...base,
	id: 'prompt',
	label: 'Prompt',
	kind: 'STRING',
	targets: [{ nodeId: '6', input: 'text' }],
	required: false,
	multiline: true
};
const flag: ParameterDef = {
	...base,
	id: 'flag',
	label: 'Previews',
	kind: 'BOOLEAN',
	targets: [{ nodeId: '10', input: 'send_previews' }]
};
const format: ParameterDef = {
	...base,
	id: 'format',
	label: 'Format',
	kind: 'COMBO',
	targets: [{ nodeId: '10', input: 'preview_format' }],
	options: ['JPEG', 'PNG']
};
const ckpt: ParameterDef = {
	...base,
	id: 'checkpoint',
	label: 'Checkpoint',
	kind: 'COMBO',
	targets: [{ nodeId: '4', input: 'ckpt_name' }],
	options: [],
	modelList: true
};
const image: ParameterDef = {
	...base,
	id: 'image',
	label: 'Image',
	kind: 'IMAGE',
	targets: [{ nodeId: '1', input: 'image' }],
	options: ['a.png']
};

const check = (parameter: ParameterDef, value: unknown) =>
	validateValue({ parameter, value: value as never })?.message;

describe('validateValue', () => {
	it.each([
		[width, 512, undefined],
		[width, null, 'Width is required.'],
		[width, '', 'Width is required.'],
		[width, 'wide', 'Enter a whole number.'],
		[width, 512.5, 'Enter a whole number.'],
		[width, 8, 'Must be at least 16.'],
		[width, 20000, 'Must be at most 16384.'],
		[width, 514, 'Must be a multiple of 8 (for example 512).'],
		[width, Number.NaN, 'Enter a whole number.'],
		[cfg, 7.35, undefined],
		[cfg, -1, 'Must be at least 0.'],
		[cfg, Number.POSITIVE_INFINITY, 'Enter a number.'],
		[prompt, '', undefined],
		[prompt, 5, 'Enter text.'],
		[flag, false, undefined],
		[flag, 'yes', 'Choose on or off.'],
		[format, 'PNG', undefined],
		[format, 'GIF', '"GIF" is not one of the choices.'],
		[
			ckpt,
			'sd15.safetensors',
			'"sd15.safetensors" is not on this server, and it has no files of this kind. Add some to its models folder.'
		],
		[image, 'just-uploaded.png', undefined],
		[image, null, 'Image is required.']
	])('%# %s', (parameter, value, message) => {
		expect(check(parameter, value)).toBe(message);
	});
});

describe('validateValues', () => {
	it('checks the values given and the defaults of the others, in order', () => {
		const errors = validateValues({ parameters: [width, format, cfg], values: { format: 'GIF' } });
		expect(errors.map((e) => [e.parameterId, e.code])).toEqual([
			['format', 'not-in-list'],
			['cfg', 'required']
		]);
	});
});

interface Exchange {
	label?: string;
	response?: { status: number; json?: { node_errors?: unknown } };
}

function nodeErrorsOf(label: string): unknown {
	const t = fixtureJson('transcripts/f_validation_errors.json') as { timeline: Exchange[] };
	return t.timeline.find((e) => e.label === label)?.response?.json?.node_errors;
}

describe('mapNodeErrorsToParameters with the recorded server answers', () => {
	const w: ParameterDef = { ...width, targets: [{ nodeId: '1', input: 'width' }] };
	const both: ParameterDef = {
		...width,
		id: 'w2',
		label: 'W2',
		targets: [
			{ nodeId: '1', input: 'width' },
			{ nodeId: '5', input: 'width' }
		]
	};

	it('a value below min lands on the width field with the server words', () => {
		const result = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(iv) value below min (width 0)'),
			parameters: [w]
		});
		expect(result).toEqual({
			fields: [{ parameterId: 'width', code: 'server', message: 'Value 0 smaller than min of 1' }],
			unmatched: []
		});
	});

	it('every field bound to the input gets the error', () => {
		const result = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(iv-b) value above max (width 100000)'),
			parameters: [w, both]
		});
		expect(result.fields.map((f) => f.parameterId)).toEqual(['width', 'w2']);
	});

	it('a missing input keeps the short message', () => {
		const result = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(iii) missing required input (EmptyImage.width)'),
			parameters: [w]
		});
		expect(result.fields[0]?.message).toBe('Required input is missing');
	});

	it('a combo error carries the server detail', () => {
		const result = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(vii) combo value not in list'),
			parameters: [format]
		});
		expect(result.fields[0]?.message).toBe("Value not in list: preview_format: 'GIF' not in ['JPEG', 'PNG']");
	});

	it('a LoadImage with a missing file lands on the image field', () => {
		const result = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(ix) LoadImage with a missing file'),
			parameters: [image]
		});
		expect(result.fields[0]?.message).toBe(
			'Custom validation failed for node: image - Invalid image file: no_such_file.png'
		);
	});

	it('link errors and inputs no visible field owns go to the general list', () => {
		const link = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(v) link to a nonexistent node'),
			parameters: [w]
		});
		expect(link.fields).toEqual([]);
		expect(link.unmatched[0]?.message).toBe(
			'Node 2 (ImageInvert), input "images": Exception when validating inner node: \'99\''
		);
		const hidden = mapNodeErrorsToParameters({
			nodeErrors: nodeErrorsOf('(iv) value below min (width 0)'),
			parameters: [{ ...w, hidden: true }]
		});
		expect(hidden.unmatched).toHaveLength(1);
	});

	it('tolerates garbage', () => {
		expect(mapNodeErrorsToParameters({ nodeErrors: 'nope', parameters: [w] })).toEqual({
			fields: [],
			unmatched: []
		});
		expect(
			mapNodeErrorsToParameters({ nodeErrors: { '1': { errors: [{}] } }, parameters: [w] }).unmatched[0]
				?.message
		).toBe('Node 1: The server refused this value');
	});
});
