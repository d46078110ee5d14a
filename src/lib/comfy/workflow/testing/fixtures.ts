/** Test-only helpers: load the recorded ComfyUI fixtures from `tests/fixtures/comfyui`. Never imported by app code. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseObjectInfo, type ObjectInfo } from '../object-info';

const ROOT = fileURLToPath(new URL('../../../../../tests/fixtures/comfyui/', import.meta.url));

/** Raw bytes of a fixture file, relative to `tests/fixtures/comfyui/`. */
export function fixtureBytes(path: string): Uint8Array {
	return new Uint8Array(readFileSync(ROOT + path));
}

/** A fixture parsed as JSON. */
export function fixtureJson(path: string): unknown {
	return JSON.parse(readFileSync(ROOT + path, 'utf8'));
}

/** The names of the UI-format workflow fixtures (`workflows/ui/*.json`). */
export function uiWorkflowNames(): string[] {
	return readdirSync(ROOT + 'workflows/ui')
		.filter((f) => f.endsWith('.json'))
		.sort();
}

let cached: ObjectInfo | undefined;

/** The real server's `/object_info` (572 classes), parsed once per test file. */
export function realObjectInfo(): ObjectInfo {
	cached ??= parseObjectInfo({ json: fixtureJson('object_info.json') }).objectInfo;
	return cached;
}
