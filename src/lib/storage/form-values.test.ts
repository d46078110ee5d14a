import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDeckDb } from './db';
import { forgetForm, getRememberedForm, rememberForm } from './form-values';

let n = 0;
const open = () => openDeckDb({ name: `form-values-${n++}-${Math.random().toString(36).slice(2)}` });

describe('remembered form values', () => {
	it('keeps the last values and seed modes of each template apart', async () => {
		const db = await open();
		await rememberForm(db, { templateId: 'a', values: { prompt: 'cat', seed: 5 }, seedModes: {}, now: 1 });
		await rememberForm(db, {
			templateId: 'a',
			values: { prompt: 'dog', seed: 6 },
			seedModes: { seed: 'fixed' },
			now: 2
		});
		await rememberForm(db, { templateId: 'b', values: { steps: 30 }, seedModes: {}, now: 3 });
		expect(await getRememberedForm(db, 'a')).toEqual({
			templateId: 'a',
			values: { prompt: 'dog', seed: 6 },
			seedModes: { seed: 'fixed' },
			updatedAt: 2
		});
		expect((await getRememberedForm(db, 'b'))?.values).toEqual({ steps: 30 });
		await forgetForm(db, 'a');
		expect(await getRememberedForm(db, 'a')).toBeUndefined();
		db.close();
	});

	it('drops values and seed modes no form could hold (a record written by an older or foreign build)', async () => {
		const db = await open();
		await db.put('formValues', {
			templateId: 'a',
			values: { prompt: 'ok', bad: { nested: true }, list: [1] },
			seedModes: { seed: 'sometimes', other: 'random' },
			updatedAt: 1
		});
		const form = await getRememberedForm(db, 'a');
		expect(form?.values).toEqual({ prompt: 'ok' });
		expect(form?.seedModes).toEqual({ other: 'random' });
		db.close();
	});
});
