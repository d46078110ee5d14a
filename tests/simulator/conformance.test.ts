// Replays all 18 recorded ComfyUI transcripts against the simulator, in the order they were recorded on one
// real server (so queue numbers, the output cache and history carry over exactly as they did), and checks
// that every scenario matches its recording. Differences that remain by design are in DIFFERENCES.md.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTranscript, type Mode } from './conformance/compare';
import { replay } from './conformance/replay';
import { loadTranscripts, type Transcript } from './conformance/transcript';
import { startSimulator, type RunningSimulator } from './index';

const TIME_SCALE = 0.25;

/** Scenarios whose message counts depend on timing or on Python's set order (see DIFFERENCES.md). */
const MODES: Record<string, Mode> = {
	h_interrupt: 'milestones',
	h2_queue_management: 'milestones',
	k_reconnect: 'milestones',
	l_ui_text_and_binary_text: 'unordered',
	m_media: 'unordered'
};

function frontEndRoot(transcripts: Transcript[]): string {
	// The recording server served a placeholder page via --front-end-root; serve the same bytes.
	const root = mkdtempSync(join(tmpdir(), 'sim-conformance-'));
	const index = transcripts
		.flatMap((t) => t.timeline)
		.find((e) => e.kind === 'http' && e.request.sent_path === '/' && e.response.text !== undefined);
	writeFileSync(join(root, 'index.html'), index?.kind === 'http' ? (index.response.text ?? '') : '');
	mkdirSync(join(root, 'models'));
	return root;
}

const transcripts = loadTranscripts();
const root = frontEndRoot(transcripts);
const servers = new Map<string, Promise<RunningSimulator>>();

/** One simulator per server configuration, like the recording (one server with CORS, one without). */
function serverFor(transcript: Transcript): Promise<RunningSimulator> {
	const key = transcript.cors_header_enabled ? 'cors' : 'origin-check';
	let server = servers.get(key);
	if (!server) {
		server = startSimulator({
			cors: transcript.cors_header_enabled ? '*' : null,
			timeScale: TIME_SCALE,
			frontEndRoot: root,
			// The recording server had no model files.
			modelsDir: join(root, 'models'),
			quiet: true
		});
		servers.set(key, server);
	}
	return server;
}

afterAll(async () => {
	for (const server of servers.values()) await (await server).close();
});

describe('conformance with the recorded transcripts', () => {
	it('has all 18 transcripts', () => {
		expect(transcripts).toHaveLength(18);
	});

	for (const transcript of transcripts) {
		it(`${transcript.scenario}: ${transcript.title}`, { timeout: 30_000 }, async () => {
			const server = await serverFor(transcript);
			const replayed = await replay(transcript, { port: server.port, timeScale: TIME_SCALE });
			const differences = compareTranscript(transcript, replayed, MODES[transcript.scenario] ?? 'exact');
			expect(differences).toEqual([]);
		});
	}
});
