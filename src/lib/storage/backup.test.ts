import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '$lib/util/canonical-hash';
import { exportBackup, importBackup, planImport } from './backup';
import { putRawRecord } from './testing/records';
import {
	NOW,
	counts,
	entries,
	exported,
	job,
	open,
	populated,
	read,
	template
} from './testing/backup-fixtures';
import { putImage } from './images';
import { listPresets, savePreset } from './presets';
import { getTemplate, listVersions, saveTemplate } from './templates';

describe('export', () => {
	it('writes one zip with a manifest, the records, and each image and thumbnail under its hash', async () => {
		const { db, hash, png } = await populated();
		const result = await exported(db);
		expect(result.fileName).toBe('comfy-deck-backup-2025-01-31.zip');
		expect(result.blob.type).toBe('application/zip');
		const files = await entries(result.blob);
		const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as Record<string, unknown>;
		expect(manifest).toMatchObject({
			format: 'comfy-deck-backup',
			version: 1,
			appVersion: '0.1.0',
			createdAt: '2025-01-31T12:00:00.000Z',
			counts: { jobs: 1, images: 1, templates: 1, templateVersions: 2, presets: 1, servers: 1, settings: 1 }
		});
		expect(files[`images/${hash}.png`]).toEqual(png);
		expect(strFromU8(files[`thumbnails/${hash}.webp`]!)).toBe('thumb');
		expect(result.omitted).toEqual([]);
	});

	it('leaves server tokens out unless asked', async () => {
		const { db } = await populated();
		const without = strFromU8((await entries((await exported(db)).blob))['servers.json']!);
		expect(without).not.toContain('secret-token');
		expect(without).toContain('http://127.0.0.1:8188');
		const withTokens = await exported(db, true);
		expect(strFromU8((await entries(withTokens.blob))['servers.json']!)).toContain('secret-token');
		expect(withTokens.manifest.includesTokens).toBe(true);
	});

	it('leaves out a record it could not read, and says so', async () => {
		const { db } = await populated();
		await putRawRecord(db, 'jobs', { id: 'broken', serverId: 's', status: 'succeeded', createdAt: 1 });
		const result = await exported(db);
		expect(result.manifest.counts.jobs).toBe(1);
		expect(result.omitted).toEqual([expect.objectContaining({ kind: 'job', id: 'broken' })]);
	});

	it('stops with a message, instead of writing a broken zip, when the backup outgrows the zip format', async () => {
		const { db, hash } = await populated();
		const second = await putImage(db, { blob: new Blob(['another image'], { type: 'image/png' }) });
		await db.put('jobs', job('job-2', second));
		const failure = await exportBackup(db, { appVersion: '0.1.0', maxArchiveBytes: 4 }).catch(
			(e: unknown) => e
		);
		expect((failure as Error).message).toMatch(/too large for one backup file.*4 GiB.*export again/);
		expect(hash).not.toBe(second);
	});
});

describe('import', () => {
	it('restores everything into an empty browser: the job with its original bytes, thumbnail, versions, preset', async () => {
		const { db: source, hash, png } = await populated();
		const backup = await read((await exported(source)).blob);
		const target = await open();

		const plan = await planImport(target, backup);
		expect(await counts(target)).toMatchObject({ jobs: 0, images: 0, templates: 0 }); // planning writes nothing

		const report = await importBackup(target, backup, { now: NOW });
		expect(report).toEqual(plan);
		expect(report.jobs).toEqual({ added: 1, present: 0, skipped: 0 });
		expect(report.images).toEqual({ added: 1, present: 0, skipped: 0 });
		expect(report.templates).toEqual({ added: 1, present: 0, skipped: 0, newVersions: 0 });
		expect(report.presets.added).toBe(1);
		expect(report.servers.added).toBe(1);
		expect(report.settings.added).toBe(1);

		const image = await target.get('images', hash);
		expect(await sha256Hex(await image!.blob.arrayBuffer())).toBe(hash);
		expect(new Uint8Array(await image!.blob.arrayBuffer())).toEqual(png);
		expect(await image!.thumbnail!.text()).toBe('thumb');
		expect((await target.get('jobs', 'job-1'))?.serverId).toBe('srv-1');
		expect((await listVersions(target, 'solid-color')).map((v) => v.note)).toEqual(['Renamed', 'Imported']);
		expect((await getTemplate(target, 'solid-color'))?.name).toBe('Solid colour');
		expect(await listPresets(target, 'solid-color')).toEqual([
			expect.objectContaining({ name: 'Wide', values: { width: 512 }, isDefault: true })
		]);
		expect(await target.get('settings', 'theme')).toBe('dark');
		expect((await target.get('servers', 'srv-1'))?.token).toBeUndefined();
	});

	it('restores a video, an audio file and a text result with their kind, duration and frame', async () => {
		const source = await open();
		const mp4 = readFileSync(
			new URL('../../../tests/fixtures/comfyui/media/harness_media_00001_.mp4', import.meta.url)
		);
		const flac = readFileSync(
			new URL('../../../tests/fixtures/comfyui/media/harness_media_00001_.flac', import.meta.url)
		);
		const video = await putImage(source, {
			blob: new Blob([new Uint8Array(mp4)], { type: 'video/mp4' }),
			thumbnail: new Blob(['frame'], { type: 'image/webp' }),
			width: 64,
			height: 48,
			kind: 'video',
			duration: 1
		});
		const audio = await putImage(source, {
			blob: new Blob([new Uint8Array(flac)], { type: 'audio/flac' }),
			kind: 'audio',
			duration: 0.5
		});
		const media = job('job-media', video);
		media.texts = { '10': ['a caption from PrimitiveString'] };
		media.app = {
			images: [
				{
					filename: 'harness_media_00001_.mp4',
					subfolder: 'video',
					type: 'output',
					hash: video,
					kind: 'video'
				},
				{
					filename: 'harness_media_00001_.flac',
					subfolder: 'audio',
					type: 'output',
					hash: audio,
					kind: 'audio'
				}
			]
		};
		await source.put('jobs', media);
		const { blob } = await exported(source);
		expect(Object.keys(await entries(blob))).toEqual(
			expect.arrayContaining([`images/${video}.mp4`, `images/${audio}.flac`, `thumbnails/${video}.webp`])
		);
		const target = await open();
		await importBackup(target, await read(blob));
		expect(await target.get('images', video)).toMatchObject({
			mime: 'video/mp4',
			kind: 'video',
			duration: 1
		});
		expect(await (await target.get('images', video))!.thumbnail!.text()).toBe('frame');
		expect(await target.get('images', audio)).toMatchObject({
			mime: 'audio/flac',
			kind: 'audio',
			duration: 0.5
		});
		expect(new Uint8Array(await (await target.get('images', audio))!.blob.arrayBuffer())).toEqual(
			new Uint8Array(flac)
		);
		expect((await target.get('jobs', 'job-media'))?.texts).toEqual({
			'10': ['a caption from PrimitiveString']
		});
	});

	it('importing the same backup again finds everything already present and adds nothing', async () => {
		const { db: source } = await populated();
		const backup = await read((await exported(source)).blob);
		const target = await open();
		await importBackup(target, backup);
		const before = await counts(target);
		const again = await importBackup(target, backup);
		expect(again.jobs).toEqual({ added: 0, present: 1, skipped: 0 });
		expect(again.images).toEqual({ added: 0, present: 1, skipped: 0 });
		expect(again.templates).toEqual({ added: 0, present: 1, skipped: 0, newVersions: 0 });
		expect(again.presets).toEqual({ added: 0, present: 1, skipped: 0 });
		expect(again.servers).toEqual({ added: 0, present: 1, skipped: 0 });
		expect(await counts(target)).toEqual(before);
		// Into the browser it came from: nothing new either.
		const home = await importBackup(source, backup);
		expect(home.jobs.added + home.images.added + home.templates.added + home.presets.added).toBe(0);
	});

	it('keeps both when a template of the same id differs: the backup copy becomes a new version', async () => {
		const { db: source } = await populated();
		const backup = await read((await exported(source)).blob);
		const target = await open();
		await saveTemplate(target, {
			template: { ...template('Mine', 128), id: 'solid-color' },
			note: 'Imported',
			now: 5
		});

		const report = await importBackup(target, backup, { now: NOW });
		expect(report.templates).toEqual({ added: 0, present: 0, skipped: 0, newVersions: 1 });
		expect(report.notes[0]).toMatch(/Solid colour.*added as version 2; yours stays current/);
		expect((await getTemplate(target, 'solid-color'))?.name).toBe('Mine');
		const versions = await listVersions(target, 'solid-color');
		expect(versions.map((v) => [v.version, v.template.name])).toEqual([
			[2, 'Solid colour'],
			[1, 'Mine']
		]);
		const again = await importBackup(target, backup, { now: NOW });
		expect(again.templates.present).toBe(1);
		expect(await listVersions(target, 'solid-color')).toHaveLength(2);
	});

	it('matches servers by address and points imported jobs at the local server', async () => {
		const { db: source } = await populated();
		const backup = await read((await exported(source)).blob);
		const target = await open();
		await target.put('servers', {
			id: 'mine',
			name: 'Same box',
			baseUrl: 'http://127.0.0.1:8188/',
			order: 0,
			createdAt: 1
		});
		const report = await importBackup(target, backup);
		expect(report.servers).toEqual({ added: 0, present: 1, skipped: 0 });
		expect(await target.count('servers')).toBe(1);
		expect((await target.get('jobs', 'job-1'))?.serverId).toBe('mine');
	});

	it('skips what cannot be used here and says why; a setting of this browser is kept', async () => {
		const { db: source, hash } = await populated();
		await source.put('jobs', job('job-running', hash, 'running'));
		await source.put('presets', {
			id: 'orphan',
			templateId: 'gone',
			name: 'Orphan',
			values: {},
			updatedAt: 1
		});
		const backup = await read((await exported(source)).blob);
		const target = await open();
		await target.put('settings', 'light', 'theme');
		const report = await importBackup(target, backup);
		expect(report.jobs).toEqual({ added: 1, present: 0, skipped: 1 });
		expect(report.skipped).toEqual(
			expect.arrayContaining([
				{ kind: 'job', id: 'job-running', reason: 'it was still running when the backup was made' },
				expect.objectContaining({ kind: 'preset', id: 'orphan', reason: expect.stringContaining('"gone"') }),
				expect.objectContaining({ kind: 'setting', id: 'theme', reason: expect.stringContaining('"light"') })
			])
		);
		expect(await target.get('settings', 'theme')).toBe('light');
		expect(await target.get('jobs', 'job-running')).toBeUndefined();
	});

	it('keeps a different preset of the same name too, renamed', async () => {
		const { db: source } = await populated();
		const backup = await read((await exported(source)).blob);
		const target = await open();
		await saveTemplate(target, { template: template(), note: 'Imported', now: 5 });
		await savePreset(target, {
			templateId: 'solid-color',
			name: 'Wide',
			values: { width: 999 },
			isDefault: true
		});
		const report = await importBackup(target, backup);
		expect(report.presets.added).toBe(1);
		const presets = await listPresets(target, 'solid-color');
		expect(presets.map((p) => [p.name, p.values.width, p.isDefault])).toEqual([
			['Wide', 999, true],
			['Wide (from backup)', 512, false]
		]);
	});
});
