import { outputFileKey, type JobImage, type JobRecord } from '$lib/comfy';
import { kindOfOutputFile, mimeOfFilename } from '$lib/comfy/output-kind';

/** An output's bytes, fetched as soon as the socket named the file (`executed`), before the job is kept. */
export interface FreshResult {
	output: JobImage;
	blob: Blob;
	kind: string;
	mime: string;
}

/** Fetches one output's bytes (`/view`). */
export type FetchOutput = (output: JobImage) => Promise<Blob>;

/**
 * The bytes of each job's outputs, fetched once, the moment the socket names them: the panel shows them at once
 * (no REST round trip, no hashing, no IndexedDB write and read in between: the keeper hashes and stores the same
 * bytes afterwards, without a second `/view`). A fetch that failed is made again by whoever needs the bytes, so
 * nothing depends on it.
 */
export class FreshResults {
	#byJob = $state<Record<string, FreshResult[] | undefined>>({});
	// Not rendered: the fetch of each output, by job then file.
	#fetches = new Map<string, Map<string, Promise<Blob>>>();
	#done = new Map<string, Map<string, FreshResult>>();
	// The newest list of each job's outputs: the order the results are shown in.
	#order = new Map<string, readonly JobImage[]>();

	/** The job's outputs whose bytes are in, in the order the job lists them. */
	of(id: string): readonly FreshResult[] | undefined {
		return this.#byJob[id];
	}

	/** Starts fetching the job's outputs that are not fetched yet. */
	follow(job: JobRecord, fetchOutput: FetchOutput): void {
		this.#order.set(job.id, job.outputs);
		for (const output of job.outputs) void this.bytes(job.id, output, fetchOutput).catch(() => undefined);
	}

	/** One output's bytes: the fetch under way or done, or a new one when there is none or it failed. */
	bytes(id: string, output: JobImage, fetchOutput: FetchOutput): Promise<Blob> {
		let fetches = this.#fetches.get(id);
		if (!fetches) this.#fetches.set(id, (fetches = new Map()));
		const key = outputFileKey(output);
		const known = fetches.get(key);
		if (known) return known;
		const fetching = fetchOutput(output);
		fetches.set(key, fetching);
		fetching.then(
			(blob) => this.#arrived(id, output, blob),
			() => {
				// Asked again later, it is fetched again.
				if (this.#fetches.get(id)?.get(key) === fetching) this.#fetches.get(id)?.delete(key);
			}
		);
		return fetching;
	}

	/** Forgets a job's bytes (kept, or the job ended without results). */
	drop(id: string): void {
		this.#fetches.delete(id);
		this.#done.delete(id);
		this.#order.delete(id);
		delete this.#byJob[id];
	}

	#arrived(id: string, output: JobImage, blob: Blob) {
		// Dropped meanwhile: the job was kept or ended.
		if (!this.#fetches.has(id)) return;
		let done = this.#done.get(id);
		if (!done) this.#done.set(id, (done = new Map()));
		const kind = kindOfOutputFile({
			filename: output.filename,
			format: output.format,
			animated: output.kind === 'animated',
			contentType: blob.type
		});
		done.set(outputFileKey(output), {
			output,
			blob,
			kind,
			mime: blob.type || mimeOfFilename(output.filename)
		});
		const order = (this.#order.get(id) ?? []).map(outputFileKey);
		const rank = (result: FreshResult) => {
			const index = order.indexOf(outputFileKey(result.output));
			return index < 0 ? order.length : index;
		};
		this.#byJob[id] = [...done.values()].sort((a, b) => rank(a) - rank(b));
	}
}
