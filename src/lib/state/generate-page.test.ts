import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { zTemplate, type ObjectInfo, type Template } from '$lib/comfy/workflow';
import { realObjectInfo } from '$lib/comfy/workflow/testing/fixtures';
import { openDeckDb } from '$lib/storage/db';
import { getRememberedForm, rememberForm } from '$lib/storage/form-values';
import type { Preset } from '$lib/storage/presets';
import { GeneratePageState, type GeneratePageTemplates } from './generate-page.svelte';
import type { ObjectInfoAnswer } from './templates.svelte';

const sd15: Template = zTemplate.parse(
	JSON.parse(
		readFileSync(
			fileURLToPath(new URL('../../../static/templates/sd15-txt2img.json', import.meta.url)),
			'utf8'
		)
	)
);

let n = 0;

function setup({
	hash = '#/generate/sd15-txt2img',
	presets = [],
	objectInfo = realObjectInfo(),
	answer
}: {
	hash?: string;
	presets?: Preset[];
	objectInfo?: ObjectInfo;
	answer?: () => Promise<ObjectInfoAnswer>;
} = {}) {
	const db = openDeckDb({ name: `generate-page-${n++}-${Math.random().toString(36).slice(2)}` });
	const replaced: string[] = [];
	const viewed: unknown[] = [];
	const templates: GeneratePageTemplates = {
		loaded: true,
		server: { id: 's1', name: 'Box', baseUrl: 'http://box:8188/' } as GeneratePageTemplates['server'],
		get: async (id) => (id === sd15.id ? sd15 : undefined),
		presets: async () => presets,
		objectInfo: answer ?? (async () => ({ ok: true, objectInfo, savedAt: Date.now() }))
	};
	const view = new GeneratePageState({
		templates,
		db,
		apiFor: () => ({
			viewUrl: (ref) => {
				viewed.push(ref);
				return 'http://box:8188/view';
			}
		}),
		initialHash: () => hash,
		replaceHash: (h) => replaced.push(h),
		routeHash: () => hash
	});
	return { view, db, replaced, viewed };
}

const preset = (values: Preset['values']): Preset => ({
	id: 'p1',
	templateId: sd15.id,
	name: 'Default look',
	values,
	isDefault: true,
	updatedAt: 1
});

describe('GeneratePageState', () => {
	it('remembers typed values and brings them back when the template is opened again', async () => {
		const first = setup();
		await first.view.open(sd15.id);
		first.view.form!.setValue({ id: 'prompt', value: 'a red fox' });
		first.view.form!.setValue({ id: 'steps', value: 31 });
		first.view.form!.setSeedMode({ id: 'seed', mode: 'fixed' });
		first.view.sync('#/generate/sd15-txt2img');
		expect(first.replaced.at(-1)).toContain('prompt=a+red+fox');
		await first.view.flush();

		// Another page instance on the same database: the menu, a reload.
		const db = await first.db;
		expect((await getRememberedForm(db, sd15.id))?.values.prompt).toBe('a red fox');
		const again = new GeneratePageState({
			templates: {
				loaded: true,
				server: undefined,
				get: async () => sd15,
				presets: async () => [preset({ prompt: 'from the preset' })],
				objectInfo: async () => ({ ok: false, message: 'offline' })
			},
			db: first.db,
			apiFor: () => ({ viewUrl: () => '' }),
			initialHash: () => '#/generate/sd15-txt2img',
			replaceHash: () => {},
			routeHash: () => '#/generate/sd15-txt2img'
		});
		await again.open(sd15.id);
		expect(again.valuesSource).toBe('remembered');
		expect(again.form?.values.prompt).toBe('a red fox');
		expect(again.form?.values.steps).toBe(31);
		expect(again.form?.seedModeOf(again.form.parameters.find((p) => p.id === 'seed')!)).toBe('fixed');
	});

	it('lets values in the URL win over remembered ones, and the default preset apply when nothing is remembered', async () => {
		const linked = setup({ hash: '#/generate/sd15-txt2img?prompt=from+the+link' });
		await rememberForm(await linked.db, {
			templateId: sd15.id,
			values: { prompt: 'remembered', steps: 12 },
			seedModes: {}
		});
		await linked.view.open(sd15.id);
		expect(linked.view.valuesSource).toBe('url');
		expect(linked.view.form?.values.prompt).toBe('from the link');
		expect(linked.view.form?.values.steps).toBe(20);

		const fresh = setup({ presets: [preset({ prompt: 'from the preset' })] });
		await fresh.view.open(sd15.id);
		expect(fresh.view.valuesSource).toBe('preset');
		expect(fresh.view.form?.values.prompt).toBe('from the preset');
	});

	it('drops remembered values of fields the template no longer shows, without a warning', async () => {
		const { view, db } = setup();
		await rememberForm(await db, {
			templateId: sd15.id,
			values: { prompt: 'kept', removed_field: 3, denoise: 0.5 },
			seedModes: {}
		});
		await view.open(sd15.id);
		expect(view.form?.values.prompt).toBe('kept');
		expect(view.form?.values).not.toHaveProperty('removed_field');
		expect(view.form?.values).not.toHaveProperty('denoise');
		expect(view.form?.issues).toEqual([]);
	});

	it('resets to the template defaults and remembers that', async () => {
		const { view, db } = setup({ presets: [preset({ prompt: 'from the preset' })] });
		await view.open(sd15.id);
		view.form!.setValue({ id: 'steps', value: 45 });
		view.resetToDefaults();
		expect(view.form?.values.prompt).toBe(sd15.parameters.find((p) => p.id === 'prompt')?.default);
		expect(view.form?.values.steps).toBe(20);
		view.sync('');
		await view.flush();
		expect((await getRememberedForm(await db, sd15.id))?.values.steps).toBe(20);
	});

	it('says a template is missing only once the list has loaded', async () => {
		const { view } = setup();
		await view.open('nope');
		expect(view.missing).toBe(true);
		expect(view.form).toBeNull();
	});

	it('follows a link to the same page with other values, but not its own URL nor the next page', async () => {
		const { view } = setup();
		await view.open(sd15.id);
		view.form!.setValue({ id: 'steps', value: 33 });
		view.followHash({ hash: view.form!.hash, routeId: sd15.id });
		expect(view.form?.values.steps).toBe(33);
		view.followHash({ hash: '#/generate/sd15-txt2img?steps=7', routeId: sd15.id });
		expect(view.form?.values.steps).toBe(7);
		// Leaving for another page: the fragment changes before the page is torn down, and must not reset the form.
		view.followHash({ hash: '#/history', routeId: sd15.id });
		expect(view.form?.values.steps).toBe(7);
	});

	it('reads an image value with a subfolder and a type suffix as a /view reference', async () => {
		const { view, viewed } = setup();
		expect(view.previewUrl('pasted/cat 1.png [input]')).toBe('http://box:8188/view');
		expect(view.previewUrl('plain.png')).toBe('http://box:8188/view');
		expect(view.previewUrl('')).toBeUndefined();
		expect(viewed).toEqual([
			{ filename: 'cat 1.png', subfolder: 'pasted', type: 'input' },
			{ filename: 'plain.png', subfolder: '', type: 'input' }
		]);
	});

	it('counts a model the server does not have and a value over its maximum as problems', async () => {
		const info = realObjectInfo();
		const { view } = setup({
			hash: '#/generate/sd15-txt2img?checkpoint=missing.safetensors',
			objectInfo: info
		});
		const opening = view.open(sd15.id);
		await opening;
		const form = view.form!;
		// The lists are read in the background after opening.
		await view.refresh();
		expect(form.problems.map((p) => [p.parameterId, p.code])).toEqual([['checkpoint', 'not-in-list']]);
		expect(form.errorFor('checkpoint')).toMatch(/"missing.safetensors" is not on this server/);
		form.setValue({ id: 'steps', value: 20_000 });
		expect(form.problems.map((p) => p.parameterId)).toEqual(['steps', 'checkpoint']);
	});

	it('shows the lists kept from the last visit at once, then what the server says now', async () => {
		const info = realObjectInfo();
		const withCheckpoints = (names: string[]): ObjectInfo => {
			const loader = info.CheckpointLoaderSimple!;
			const required = { ...loader.input.required, ckpt_name: [names] };
			return { ...info, CheckpointLoaderSimple: { ...loader, input: { ...loader.input, required } } };
		};
		let answerFresh: (answer: ObjectInfoAnswer) => void = () => {};
		const fresh = new Promise<ObjectInfoAnswer>((resolve) => (answerFresh = resolve));
		const { view } = setup({
			answer: async () => ({
				ok: true,
				objectInfo: withCheckpoints(['kept.safetensors']),
				savedAt: Date.now() - 3_600_000,
				fresh
			})
		});
		await view.open(sd15.id);
		const checkpoint = () => view.form!.parameters.find((p) => p.id === 'checkpoint')?.options;
		await vi.waitFor(() => expect(checkpoint()).toEqual(['kept.safetensors']));

		answerFresh({
			ok: true,
			objectInfo: withCheckpoints(['kept.safetensors', 'new.safetensors']),
			savedAt: 1
		});
		await vi.waitFor(() => expect(checkpoint()).toEqual(['kept.safetensors', 'new.safetensors']));
		expect(view.serverNote).toBe('');
	});

	it('keeps the kept lists and says so when the server cannot be reached', async () => {
		const { view } = setup({
			answer: async () => ({
				ok: true,
				objectInfo: realObjectInfo(),
				savedAt: Date.now(),
				fresh: Promise.resolve({ ok: false, message: 'Box cannot be reached.' })
			})
		});
		await view.open(sd15.id);
		await vi.waitFor(() =>
			expect(view.serverNote).toMatch(/^Box cannot be reached\. The lists shown are the ones it gave at /)
		);
		expect(view.form?.refreshed).toBe(true);
	});
});
