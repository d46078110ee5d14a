import { describe, expect, it } from 'vitest';
import {
	ComfyAbortError,
	ComfyConnectionError,
	ComfyHttpError,
	ComfyProtocolError,
	ComfyTimeoutError,
	ComfyValidationError,
	type ConnectionDiagnosis
} from './errors';
import { classifySubmitError, partialErrorsOf } from './job-submission';

const connection = (diagnosis: ConnectionDiagnosis) =>
	new ComfyConnectionError({ diagnosis, baseUrl: 'http://box:8188/', message: 'no', hint: 'fix it' });
const http = (status: number) => new ComfyHttpError({ status, route: 'POST /prompt', body: '' });

describe('classifySubmitError', () => {
	it('treats the caller giving up as an abort, whatever the error says', () => {
		expect(classifySubmitError(new ComfyAbortError('Submitting the job'), false)).toBe('abort');
		expect(classifySubmitError(connection('unreachable'), true)).toBe('abort');
	});

	it('fails at once when the server refused the workflow or the request (it was not queued)', () => {
		const refusal = new ComfyValidationError({
			type: 'x',
			message: 'bad',
			details: '',
			issues: [],
			body: {}
		});
		expect(classifySubmitError(refusal, false)).toBe('validation');
		expect(classifySubmitError(http(403), false)).toBe('http');
	});

	it('fails at once when the request never reached the queue (CORS, Origin check, mixed content, auth)', () => {
		for (const diagnosis of ['cors', 'origin-check', 'mixed-content', 'auth', 'not-comfyui'] as const) {
			expect(classifySubmitError(connection(diagnosis), false)).toBe('connection');
		}
	});

	it('calls the answer unknown when the server may have queued it: ask before sending again', () => {
		expect(classifySubmitError(connection('unreachable'), false)).toBe('unknown');
		expect(classifySubmitError(connection('timeout'), false)).toBe('unknown');
		expect(
			classifySubmitError(new ComfyTimeoutError({ operation: 'POST /prompt', timeoutMs: 1 }), false)
		).toBe('unknown');
		expect(classifySubmitError(http(502), false)).toBe('unknown');
		expect(
			classifySubmitError(new ComfyProtocolError({ route: 'POST /prompt', fields: [], detail: 'x' }), false)
		).toBe('unknown');
		expect(classifySubmitError(new TypeError('Failed to fetch'), false)).toBe('unknown');
	});
});

describe('partialErrorsOf', () => {
	it('lists the problems of nodes the server skipped while it still queued the prompt, and ignores garbage', () => {
		const issues = partialErrorsOf({
			prompt_id: 'p',
			number: 1,
			node_errors: {
				'7': {
					errors: [
						{
							type: 'value_not_in_list',
							message: 'Value not in list',
							details: 'ckpt_name: x.safetensors',
							extra_info: { input_name: 'ckpt_name' }
						}
					],
					dependent_outputs: ['9'],
					class_type: 'CheckpointLoaderSimple'
				},
				'8': 'not a node error'
			}
		});
		expect(issues).toEqual([
			{
				nodeId: '7',
				classType: 'CheckpointLoaderSimple',
				inputName: 'ckpt_name',
				type: 'value_not_in_list',
				message: 'Value not in list',
				details: 'ckpt_name: x.safetensors'
			}
		]);
	});
});
