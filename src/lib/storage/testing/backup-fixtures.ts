// A browser's worth of data for the backup tests, and ways to read, export and tamper with a backup.
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { JobStatus } from '$lib/comfy';
import { createTemplate, type Template } from '$lib/comfy/workflow';
import { IMPORT_STORES, exportBackup, readBackup, type ParsedBackup } from '../backup';
import { openDeckDb, type DeckDb } from '../db';
import { putImage } from '../images';
import type { StoredJob } from '../jobs';
import { savePreset } from '../presets';
import { saveTemplate } from '../templates';

let n = 0;
export const open = () => openDeckDb({ name: `backup-test-${n++}-${Math.random()}` });
export const NOW = Date.UTC(2025, 0, 31, 12);

export function template(name = 'Solid color', width = 64): Template {
	return createTemplate({
		name,
		api: {
			'1': { class_type: 'EmptyImage', inputs: { width, height: 64, batch_size: 1, color: 0 } },
			'2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } }
		},
		parameters: [
			{
				id: 'width',
				label: 'Width',
				kind: 'INT',
				group: 'Size',
				targets: [{ nodeId: '1', input: 'width' }],
				default: width,
				min: 1,
				max: 4096,
				required: true,
				hidden: false
			}
		],
		now: 1
	});
}

export function job(
	id: string,
	hash: string,
	status: JobStatus = 'succeeded',
	serverId = 'srv-1'
): StoredJob {
	return {
		id,
		serverId,
		serverUrl: 'http://127.0.0.1:8188',
		status,
		createdAt: 100,
		workflow: { '1': { class_type: 'EmptyImage', inputs: {} } },
		outputs: [{ filename: `${id}.png`, subfolder: '', type: 'output' }],
		timings: { created: 100, finished: 200 },
		attempts: 1,
		app: {
			templateId: 'solid-color',
			images: [{ filename: `${id}.png`, subfolder: '', type: 'output', hash, bytes: 9 }]
		}
	};
}

/** A browser's worth of data: one finished job with an image and thumbnail, a template with 2 versions… */
export async function populated(): Promise<{ db: DeckDb; hash: string; png: Uint8Array }> {
	const db = await open();
	const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
	const hash = await putImage(db, {
		blob: new Blob([png], { type: 'image/png' }),
		thumbnail: new Blob(['thumb'], { type: 'image/webp' }),
		width: 64,
		height: 64
	});
	await db.put('jobs', job('job-1', hash));
	const t = template();
	await saveTemplate(db, { template: t, note: 'Imported', now: 10 });
	await saveTemplate(db, { template: { ...t, name: 'Solid colour' }, note: 'Renamed', now: 20 });
	await savePreset(db, { templateId: t.id, name: 'Wide', values: { width: 512 }, isDefault: true, now: 30 });
	await db.put('settings', 'dark', 'theme');
	await db.put('servers', {
		id: 'srv-1',
		name: 'Studio',
		baseUrl: 'http://127.0.0.1:8188',
		token: 'secret-token',
		order: 0,
		createdAt: 1
	});
	return { db, hash, png };
}

export async function counts(db: DeckDb) {
	return Object.fromEntries(
		await Promise.all(IMPORT_STORES.map(async (s) => [s, await db.count(s)] as const))
	);
}

export async function entries(blob: Blob): Promise<Record<string, Uint8Array>> {
	return unzipSync(new Uint8Array(await blob.arrayBuffer()));
}

export async function read(blob: Blob): Promise<ParsedBackup> {
	const result = await readBackup({ file: blob });
	if (!result.ok) throw new Error(result.message);
	return result.backup;
}

export async function exported(db: DeckDb, includeTokens = false) {
	return exportBackup(db, { appVersion: '0.1.0', now: NOW, includeTokens });
}

/** The exported zip with some entries changed (undefined removes one). */
export async function tampered(blob: Blob, change: Record<string, Uint8Array | undefined>): Promise<Blob> {
	const files: Zippable = { ...(await entries(blob)) };
	for (const [name, bytes] of Object.entries(change)) {
		if (bytes) files[name] = bytes;
		else delete files[name];
	}
	return new Blob([zipSync(files) as Uint8Array<ArrayBuffer>]);
}
