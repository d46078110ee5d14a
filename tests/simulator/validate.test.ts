import { describe, expect, it } from 'vitest';
import { readTranscript, type RecordedHttp } from '../transcript-format';
import { postJson, useSimulator } from './test-helpers';
import { validateNodeInput } from './validate';

const posts = readTranscript('f_validation_errors').timeline.filter(
	(e): e is RecordedHttp => e.kind === 'http' && e.request.path === '/prompt'
);

const sim = useSimulator({ modelsDir: '/nonexistent-models-dir' });

describe('POST /prompt validation reproduces the recorded replies', () => {
	for (const entry of posts) {
		it(entry.label ?? 'post', async () => {
			const body = entry.request.body;
			const res = await fetch(`${sim.url}/prompt`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body:
					body && 'raw_text' in body
						? body.raw_text
						: JSON.stringify(body && 'json' in body ? body.json : undefined)
			});
			expect(res.status).toBe(entry.response.status);
			if (entry.response.text !== undefined) {
				expect(await res.text()).toBe(entry.response.text);
				return;
			}
			const reply = (await res.json()) as Record<string, unknown>;
			const expected = { ...(entry.response.json as Record<string, unknown>) };
			if ('prompt_id' in expected) {
				expect(reply['prompt_id']).toMatch(/^[0-9a-f-]{36}$/);
				expect(typeof reply['number']).toBe('number');
				delete expected['prompt_id'];
				delete expected['number'];
				delete reply['prompt_id'];
				delete reply['number'];
			}
			expect(reply).toEqual(expected);
		});
	}
});

describe('other validation rules', () => {
	it('lists a model combo value that is not installed', async () => {
		const res = await postJson(`${sim.url}/prompt`, {
			prompt: {
				'1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'missing.safetensors' } },
				'2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } }
			}
		});
		expect(res.status).toBe(400);
		const errors = (
			res.body as { node_errors: Record<string, { errors: Array<{ type: string; details: string }> }> }
		).node_errors['1']?.errors;
		expect(errors?.[0]?.type).toBe('value_not_in_list');
		expect(errors?.[0]?.details).toBe("ckpt_name: 'missing.safetensors' not in []");
	});

	it('converts widget strings like Python and stores the converted prompt', async () => {
		const res = await postJson(`${sim.url}/prompt`, {
			prompt: {
				'1': { class_type: 'EmptyImage', inputs: { width: '16', height: 8.9, batch_size: 1, color: 0 } },
				'2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } }
			}
		});
		expect(res.status).toBe(200);
		const id = (res.body as { prompt_id: string }).prompt_id;
		for (let i = 0; i < 100; i++) {
			const history = (await (await fetch(`${sim.url}/history/${id}`)).json()) as Record<
				string,
				{ prompt: unknown[] }
			>;
			const entry = history[id];
			if (entry) {
				expect((entry.prompt[2] as Record<string, { inputs: unknown }>)['1']?.inputs).toEqual({
					width: 16,
					height: 8,
					batch_size: 1,
					color: 0
				});
				return;
			}
			await new Promise((r) => setTimeout(r, 10));
		}
		throw new Error('prompt never reached history');
	});

	it('accepts wildcard and union types on links', () => {
		expect(validateNodeInput('INT', '*')).toBe(true);
		expect(validateNodeInput('IMAGE,MASK', 'MASK')).toBe(true);
		expect(validateNodeInput('IMAGE', 'INT')).toBe(false);
		expect(validateNodeInput(['a', 'b'], ['a', 'b'])).toBe(true);
	});
});
