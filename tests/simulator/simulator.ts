// The simulator's state: folders, models, queue and history, sockets and the prompt worker, plus what the
// test controls switch on. One instance per listening server.
import { json, type SimReply } from './http-kit';
import { createImage, encodePng, fillImage } from './image';
import { FileStore } from './file-store';
import { ModelStore } from './model-store';
import { buildObjectInfo, inputImageNames } from './object-info';
import { PromptQueue } from './prompt-queue';
import { PromptWorker, type RunRecord } from './prompt-worker';
import { serverFeatures } from './routes-info';
import { StaticRoot } from './static-root';
import { WsHub } from './ws-hub';

export interface SimulatorOptions {
	/** 0 = a random free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Like `--enable-cors-header ORIGIN`; null = off (the origin check applies). */
	cors?: string | null;
	/** Multiplies every simulated duration; default 1. */
	timeScale?: number;
	/** Serve this folder like ComfyUI's `--front-end-root`. */
	frontEndRoot?: string;
	/** Enables the test controls over HTTP (`POST /__sim/control`). */
	testMode?: boolean;
	/** No console output. */
	quiet?: boolean;
	/** A folder with model subfolders (checkpoints/, loras/, …); default: a small built-in set. */
	modelsDir?: string;
	/**
	 * A real folder for output/ (default: memory only): what a killed process saved is served again by the next one
	 * started with the same folder, as ComfyUI serves its output/ after a crash.
	 */
	outputDir?: string;
	/**
	 * Told of every prompt the worker starts and of how it ends, as it happens (the CLI's `--run-log FILE` appends
	 * them to a file, so a test can count the runs of a process it killed).
	 */
	onRun?: (run: Readonly<RunRecord>) => void;
}

/**
 * A fault on one route: answer `status` (as text, or as a proxy's HTML page), answer `delayMs` later, or send the
 * headers and half the body and cut the connection.
 */
export interface FailRule {
	path: string;
	kind: 'status' | 'html' | 'slow' | 'truncate';
	status: number;
	delayMs: number;
	remaining: number;
}

/** ComfyUI ships input/example.png; the simulator makes its own. */
function exampleImage(): Buffer {
	const image = fillImage(createImage(1, 64, 64), (_b, y, x) => [x / 63, y / 63, 0.6]);
	return encodePng(image);
}

export class Simulator {
	readonly cors: string | null;
	readonly timeScale: number;
	readonly testMode: boolean;
	readonly quiet: boolean;
	readonly frontEndRoot: string | undefined;
	readonly onRun: SimulatorOptions['onRun'];
	readonly files: FileStore;
	readonly models: ModelStore;
	readonly staticRoot: StaticRoot;
	readonly queue: PromptQueue;
	readonly hub: WsHub;
	readonly worker: PromptWorker;
	settings: Record<string, unknown> = {};
	host = '127.0.0.1';
	port = 0;
	/** While true (a simulated restart), connections are cut on arrival. */
	down = false;
	failRules: FailRule[] = [];
	/** The refuse-upgrades control: the next `remaining` WebSocket upgrades are answered `status`. */
	upgradeRefusal: { status: number; remaining: number } | null = null;
	/** WebSocket upgrades accepted and refused by the control, like a proxy's access log. */
	readonly upgradeCounts = { accepted: 0, refused: 0 };
	/**
	 * The hostile-text control: one-shot texts the next prompts carry where untrusted text reaches a client (a
	 * validation error, an execution error with its traceback, saved file names).
	 */
	hostile: { nodeErrors: string | null; executionError: string | null; filenamePrefix: string | null } = {
		nodeErrors: null,
		executionError: null,
		filenamePrefix: null
	};
	/** Simulated seconds each model load takes on top of the normal time (slow-model-load control). */
	slowModelLoadSeconds = 0;
	/** Samplers' steps paced to `fps` real frames a second, cycling `frames` previews (preview-stream control). */
	previewStream: { fps: number; frames: number } | null = null;
	private objectInfoCache: { key: string; body: SimReply } | null = null;

	constructor(options: SimulatorOptions = {}) {
		this.cors = options.cors ?? null;
		this.timeScale = options.timeScale ?? 1;
		this.testMode = options.testMode ?? false;
		this.quiet = options.quiet ?? false;
		this.frontEndRoot = options.frontEndRoot;
		this.onRun = options.onRun;
		this.models = new ModelStore({ modelsDir: options.modelsDir });
		this.files = new FileStore({ outputDir: options.outputDir });
		this.staticRoot = new StaticRoot(options.frontEndRoot);
		this.files.put('input', 'example.png', exampleImage());
		this.queue = new PromptQueue(() => this.broadcastStatus());
		this.hub = new WsHub({
			queueInfo: () => this.queueInfo(),
			reconnectNode: (sid) => this.worker.reconnectNode(sid),
			serverFeatures,
			timeScale: this.timeScale
		});
		this.worker = new PromptWorker(this);
	}

	queueInfo(): { exec_info: { queue_remaining: number } } {
		return { exec_info: { queue_remaining: this.queue.queueRemaining() } };
	}

	/** `queue_updated()`: a status broadcast to every registered socket. */
	broadcastStatus(): void {
		this.hub.sendJson('status', { status: this.queueInfo() }, null);
	}

	/** The command line a real server would report in `/system_stats`. */
	argv(): string[] {
		const argv = ['main.py', '--cpu', '--listen', this.host, '--port', String(this.port)];
		if (this.cors !== null) argv.push('--enable-cors-header', this.cors);
		if (this.frontEndRoot) argv.push('--front-end-root', this.frontEndRoot);
		return argv;
	}

	/** `/object_info`, re-serialised only when the input images change. */
	objectInfoReply(): SimReply {
		const key = inputImageNames(this.files).join('\n');
		if (this.objectInfoCache?.key !== key) {
			this.objectInfoCache = { key, body: json(buildObjectInfo(this.models, this.files)) };
		}
		return this.objectInfoCache.body;
	}

	log(message: string): void {
		if (!this.quiet) console.log(message);
	}

	/** Takes one use of a matching fail rule, if any. */
	takeFailRule(path: string): FailRule | null {
		const rule = this.failRules.find((r) => r.remaining > 0 && (r.path === path || `/api${r.path}` === path));
		if (!rule) return null;
		rule.remaining -= 1;
		this.failRules = this.failRules.filter((r) => r.remaining > 0);
		return rule;
	}

	/** Takes one refusal of the refuse-upgrades control: the status to answer, or null to accept. */
	takeUpgradeRefusal(): number | null {
		const refusal = this.upgradeRefusal;
		if (!refusal || refusal.remaining <= 0) return null;
		refusal.remaining -= 1;
		if (refusal.remaining <= 0) this.upgradeRefusal = null;
		this.upgradeCounts.refused += 1;
		return refusal.status;
	}

	/** A process restart: the queue, history, caches and temp files are gone; every socket is cut. */
	restart(): void {
		this.worker.reset();
		this.queue.reset();
		this.files.clear('temp');
		this.hub.terminateAll();
	}
}
