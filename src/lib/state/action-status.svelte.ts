import { errorMessage } from '$lib/util/error-message';

/**
 * The status line of a view's actions: what the last one did, why it failed, and whether one is under way. Views
 * only read it; the state class that extends it writes it through the protected methods.
 */
export class ActionStatus {
	#message = $state('');
	#error = $state('');
	#busy = $state(false);

	/** What the last action did (shown in a status line). */
	get message(): string {
		return this.#message;
	}

	/** Why the last action or read failed. */
	get error(): string {
		return this.#error;
	}

	/** True while an action is under way. */
	get busy(): boolean {
		return this.#busy;
	}

	protected report(message: string): void {
		this.#message = message;
	}

	protected fail(error: string): void {
		this.#error = error;
	}

	/** Forgets the last action's message and error (another item is shown). */
	protected clearStatus(): void {
		this.#message = '';
		this.#error = '';
	}

	/**
	 * Runs an action as busy with the last error cleared; a throw becomes the error `<failure>: <why>` and resolves
	 * undefined.
	 */
	protected async busyWith<T>({
		failure,
		action
	}: {
		failure: string;
		action: () => Promise<T>;
	}): Promise<T | undefined> {
		this.#busy = true;
		this.#error = '';
		try {
			return await action();
		} catch (error) {
			this.#error = `${failure}: ${errorMessage(error)}`;
			return undefined;
		} finally {
			this.#busy = false;
		}
	}
}
