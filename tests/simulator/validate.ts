// POST /prompt validation, following ComfyUI 0.8's `validate_prompt`/`validate_inputs` step by step so the
// error types, messages, `node_errors` shapes and even the odd attributions match: an exception while
// validating an upstream node is filed under that node with the downstream input's name, and a bad link on
// an output node itself becomes `exception_during_validation`.
import type { FileStore } from './file-store';
import { buildObjectInfo, comboChoices, type InputSpec, type ObjectInfo } from './object-info';
import { nodeImpl } from './nodes/registry';
import { PyError } from './nodes/types';
import type { ApiPrompt } from './prompt-queue';
import { pyFloatRepr, pyRepr, pyStr, pyTypeName } from './py-format';
import type { Simulator } from './simulator';

export interface Reason {
	type: string;
	message: string;
	details: string;
	extra_info: Record<string, unknown>;
}

export interface NodeErrors {
	errors: Reason[];
	dependent_outputs: string[];
	class_type: string;
}

export type ValidationResult =
	| { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
	| { ok: false; error: Reason; outputs: string[]; nodeErrors: Record<string, NodeErrors> };

type Verdict = [boolean, Reason[], string];

// The traceback lines a real 0.8 server reports for the two link failures (recorded).
const TB_INNER_CALL =
	'  File "ComfyUI/execution.py", line 838, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n';
const TB_OUTER_CALL =
	'  File "ComfyUI/execution.py", line 1043, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n';
const TB_LOOKUP =
	'  File "ComfyUI/execution.py", line 818, in validate_inputs\n    o_class_type = prompt[o_id][\'class_type\']\n                   ~~~~~~^^^^^^\n';
const TB_SLOT =
	'  File "ComfyUI/execution.py", line 820, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n';
const TB_INPUTS =
	'  File "ComfyUI/execution.py", line 775, in validate_inputs\n    inputs = prompt[unique_id][\'inputs\']\n             ~~~~~~~~~~~~~~~~~^^^^^^^^^^\n';

/** `validate_node_input(received_type, input_type)`: equal, `*`, or overlapping comma-separated unions. */
export function validateNodeInput(received: unknown, input: unknown): boolean {
	if (JSON.stringify(received) === JSON.stringify(input)) return true;
	if (received === '*' || input === '*') return true;
	if (typeof received !== 'string' || typeof input !== 'string') return false;
	const a = new Set(received.split(',').map((t) => t.trim()));
	return input.split(',').some((t) => a.has(t.trim()));
}

/** Python's int()/float()/str()/bool() on a widget value; throws PyError like Python would. */
function convert(type: string, value: unknown): unknown {
	if (type === 'INT') {
		if (typeof value === 'boolean') return value ? 1 : 0;
		if (typeof value === 'number') {
			if (!Number.isFinite(value)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
			return Math.trunc(value);
		}
		if (typeof value === 'string') {
			const text = value.trim().replace(/(?<=\d)_(?=\d)/g, '');
			if (/^[+-]?\d+$/.test(text)) return Number(text);
			throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
		}
		throw new PyError(
			'TypeError',
			`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`
		);
	}
	if (type === 'FLOAT') {
		if (typeof value === 'boolean') return value ? 1 : 0;
		if (typeof value === 'number') return value;
		if (typeof value === 'string') {
			const text = value.trim().toLowerCase();
			const special: Record<string, number> = {
				nan: NaN,
				inf: Infinity,
				'+inf': Infinity,
				'-inf': -Infinity
			};
			if (text in special) return special[text];
			if (/^[+-]?(\d[\d_]*\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return Number(text.replace(/_/g, ''));
			throw new PyError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
		}
		throw new PyError(
			'TypeError',
			`float() argument must be a string or a real number, not '${pyTypeName(value)}'`
		);
	}
	if (type === 'STRING') return pyStr(value);
	if (type === 'BOOLEAN') {
		if (Array.isArray(value)) return value.length > 0;
		if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
		return Boolean(value);
	}
	return value;
}

function formatNumber(type: string, value: unknown): string {
	return type === 'FLOAT' && typeof value === 'number' ? pyFloatRepr(value) : pyStr(value);
}

interface Ctx {
	prompt: ApiPrompt;
	info: ObjectInfo;
	files: FileStore;
	validated: Map<string, Verdict>;
}

function lookupLinked(ctx: Ctx, link: unknown[]): { classType: string; receivedType: unknown } {
	const [oId, slot] = link;
	const node = typeof oId === 'string' ? ctx.prompt[oId] : undefined;
	if (!node) throw new PyError('KeyError', pyRepr(oId), [TB_LOOKUP]);
	const outputs = ctx.info[node.class_type]?.output ?? [];
	if (typeof slot !== 'number' || !Number.isInteger(slot)) {
		throw new PyError('TypeError', `tuple indices must be integers or slices, not ${pyTypeName(slot)}`, [
			TB_SLOT
		]);
	}
	const index = slot < 0 ? outputs.length + slot : slot;
	if (index < 0 || index >= outputs.length)
		throw new PyError('IndexError', 'tuple index out of range', [TB_SLOT]);
	return { classType: node.class_type, receivedType: outputs[index] };
}

function validateInputs(ctx: Ctx, uniqueId: string): Verdict {
	const done = ctx.validated.get(uniqueId);
	if (done) return done;
	const node = ctx.prompt[uniqueId];
	if (!node || typeof node.inputs !== 'object' || node.inputs === null) {
		throw new PyError('KeyError', "'inputs'", [TB_INPUTS]);
	}
	const inputs = node.inputs;
	const def = ctx.info[node.class_type];
	const custom = nodeImpl(node.class_type)?.validate;
	const validateNames = custom?.inputs ?? [];
	const errors: Reason[] = [];
	let valid = true;
	const specs: Array<[string, InputSpec, 'required' | 'optional']> = [];
	for (const category of ['required', 'optional'] as const) {
		for (const [name, spec] of Object.entries(def?.input[category] ?? {})) specs.push([name, spec, category]);
	}
	for (const [x, spec, category] of specs) {
		const inputType = spec[0];
		const extraInfo = spec[1] ?? {};
		const info = [inputType, extraInfo];
		if (!(x in inputs)) {
			if (category === 'required') {
				errors.push({
					type: 'required_input_missing',
					message: 'Required input is missing',
					details: x,
					extra_info: { input_name: x }
				});
			}
			continue;
		}
		let val = inputs[x];
		if (Array.isArray(val)) {
			if (val.length !== 2) {
				errors.push({
					type: 'bad_linked_input',
					message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
					details: x,
					extra_info: { input_name: x, input_config: info, received_value: val }
				});
				continue;
			}
			const { receivedType } = lookupLinked(ctx, val);
			if (!validateNames.includes('input_types') && !validateNodeInput(receivedType, inputType)) {
				errors.push({
					type: 'return_type_mismatch',
					message: 'Return type mismatch between linked nodes',
					details: `${x}, received_type(${pyStr(receivedType)}) mismatch input_type(${pyStr(inputType)})`,
					extra_info: { input_name: x, input_config: info, received_type: receivedType, linked_node: val }
				});
				continue;
			}
			const oId = val[0] as string;
			try {
				const r = validateInputs(ctx, oId);
				if (!r[0]) valid = false;
			} catch (error) {
				valid = false;
				const ex = error instanceof PyError ? error : new PyError('Exception', String(error));
				ctx.validated.set(oId, [
					false,
					[
						{
							type: 'exception_during_inner_validation',
							message: 'Exception when validating inner node',
							details: ex.message,
							extra_info: {
								input_name: x,
								input_config: info,
								exception_message: ex.message,
								exception_type: ex.pyType,
								traceback: [TB_INNER_CALL, ...ex.traceback],
								linked_node: val
							}
						}
					],
					oId
				]);
			}
			continue;
		}
		if (typeof val === 'object' && val !== null && '__value__' in val) {
			val = (val as Record<string, unknown>)['__value__'];
			inputs[x] = val;
		}
		if (typeof inputType === 'string') {
			try {
				val = convert(inputType, val);
				if (['INT', 'FLOAT', 'STRING', 'BOOLEAN'].includes(inputType)) inputs[x] = val;
			} catch (error) {
				const message = error instanceof Error ? error.message : String(error);
				errors.push({
					type: 'invalid_input_type',
					message: `Failed to convert an input value to a ${inputType} value`,
					details: `${x}, ${pyStr(val)}, ${message}`,
					extra_info: { input_name: x, input_config: info, received_value: val, exception_message: message }
				});
				continue;
			}
		}
		if (validateNames.includes(x)) continue;
		const typeName = typeof inputType === 'string' ? inputType : '';
		const min = extraInfo['min'];
		if (typeof min === 'number' && typeof val === 'number' && val < min) {
			errors.push({
				type: 'value_smaller_than_min',
				message: `Value ${formatNumber(typeName, val)} smaller than min of ${formatNumber(typeName, min)}`,
				details: x,
				extra_info: { input_name: x, input_config: info, received_value: val }
			});
			continue;
		}
		const max = extraInfo['max'];
		if (typeof max === 'number' && typeof val === 'number' && val > max) {
			errors.push({
				type: 'value_bigger_than_max',
				message: `Value ${formatNumber(typeName, val)} bigger than max of ${formatNumber(typeName, max)}`,
				details: x,
				extra_info: { input_name: x, input_config: info, received_value: val }
			});
			continue;
		}
		const choices = comboChoices(spec);
		if (choices && !choices.some((choice) => choice === val)) {
			// ComfyUI does not echo gigantic lists (e.g. hundreds of model paths).
			const big = choices.length > 20;
			errors.push({
				type: 'value_not_in_list',
				message: 'Value not in list',
				details: `${x}: '${pyStr(val)}' not in ${big ? `(list of length ${choices.length})` : pyRepr(choices)}`,
				extra_info: { input_name: x, input_config: big ? null : info, received_value: val }
			});
		}
	}
	if (custom) {
		const values: Record<string, unknown> = {};
		for (const name of custom.inputs) {
			if (name in inputs && !Array.isArray(inputs[name])) values[name] = inputs[name];
		}
		const ret = custom.check(values, { files: ctx.files });
		if (ret !== true) {
			for (const name of Object.keys(values)) {
				errors.push({
					type: 'custom_validation_failed',
					message: 'Custom validation failed for node',
					details: ret === false ? name : `${name} - ${ret}`,
					extra_info: { input_name: name }
				});
			}
		}
	}
	const verdict: Verdict = errors.length > 0 || !valid ? [false, errors, uniqueId] : [true, [], uniqueId];
	ctx.validated.set(uniqueId, verdict);
	return verdict;
}

function invalid(message: string, details: string): Reason {
	return { type: 'invalid_prompt', message, details, extra_info: {} };
}

/** Validates a posted prompt against `/object_info`; mutates converted widget values like ComfyUI does. */
export function validatePrompt(options: {
	sim: Pick<Simulator, 'models' | 'files'>;
	prompt: ApiPrompt;
	partialTargets: string[] | null;
}): ValidationResult {
	const { prompt, partialTargets } = options;
	const info = buildObjectInfo(options.sim.models, options.sim.files);
	const outputs: string[] = [];
	for (const [id, node] of Object.entries(prompt)) {
		if (typeof node !== 'object' || node === null || !('class_type' in node)) {
			return {
				ok: false,
				error: invalid(
					'Cannot execute because a node is missing the class_type property.',
					`Node ID '#${id}'`
				),
				outputs: [],
				nodeErrors: {}
			};
		}
		const def = info[node.class_type];
		if (!def) {
			return {
				ok: false,
				error: invalid(
					`Cannot execute because node ${pyStr(node.class_type)} does not exist.`,
					`Node ID '#${id}'`
				),
				outputs: [],
				nodeErrors: {}
			};
		}
		if (def.output_node === true && (partialTargets === null || partialTargets.includes(id)))
			outputs.push(id);
	}
	if (outputs.length === 0) {
		const error = {
			type: 'prompt_no_outputs',
			message: 'Prompt has no outputs',
			details: '',
			extra_info: {}
		};
		return { ok: false, error, outputs: [], nodeErrors: {} };
	}
	const ctx: Ctx = { prompt, info, files: options.sim.files, validated: new Map() };
	const good: string[] = [];
	const failed: Array<[string, Reason[]]> = [];
	const nodeErrors: Record<string, NodeErrors> = {};
	for (const o of outputs) {
		let ok: boolean;
		let reasons: Reason[];
		try {
			[ok, reasons] = validateInputs(ctx, o);
		} catch (error) {
			ok = false;
			const ex = error instanceof PyError ? error : new PyError('Exception', String(error));
			reasons = [
				{
					type: 'exception_during_validation',
					message: 'Exception when validating node',
					details: ex.message,
					extra_info: { exception_type: ex.pyType, traceback: [TB_OUTER_CALL, ...ex.traceback] }
				}
			];
			ctx.validated.set(o, [false, reasons, o]);
		}
		if (ok) {
			good.push(o);
			continue;
		}
		failed.push([o, reasons]);
		for (const [nodeId, [nodeOk, nodeReasons]] of ctx.validated) {
			// Downstream nodes of a failed node are invalid without reasons: they are not reported.
			if (nodeOk || nodeReasons.length === 0) continue;
			nodeErrors[nodeId] ??= {
				errors: nodeReasons,
				dependent_outputs: [],
				class_type: prompt[nodeId]?.class_type ?? ''
			};
			nodeErrors[nodeId].dependent_outputs.push(o);
		}
	}
	if (good.length === 0) {
		const details = failed
			.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`))
			.join('\n');
		return {
			ok: false,
			error: {
				type: 'prompt_outputs_failed_validation',
				message: 'Prompt outputs failed validation',
				details,
				extra_info: {}
			},
			outputs: good,
			nodeErrors
		};
	}
	return { ok: true, outputs: good, nodeErrors };
}
