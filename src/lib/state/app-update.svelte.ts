/**
 * The installable app's life: whether the browser is online (for the offline banner), the service worker that
 * keeps the built app for offline use, and a new build waiting to take over ("Reload to update"). Registration is
 * skipped where there is no service worker support or the browser refuses it (plain http on a non-local host, a
 * private window): the app then works as before, only not offline.
 */
export class AppUpdateState {
	#online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
	#updateReady = $state(false);
	#unavailable = $state<string | null>(null);

	#waiting: ServiceWorker | null = null;
	#reloading = false;

	/** Whether the browser says it is online (the offline banner shows when not). */
	get online(): boolean {
		return this.#online;
	}

	/** A new build is installed and waits for the user's "Reload to update". */
	get updateReady(): boolean {
		return this.#updateReady;
	}

	/** Why the app will not open offline, when the service worker could not be registered. */
	get unavailable(): string | null {
		return this.#unavailable;
	}

	/** Listens for online/offline and registers the service worker; returns the function that stops listening. */
	start(options: { register: boolean; scriptUrl?: string }): () => void {
		const onNetwork = () => (this.#online = navigator.onLine);
		addEventListener('online', onNetwork);
		addEventListener('offline', onNetwork);
		let stopWorker = () => {};
		if (options.register) stopWorker = this.#register(options.scriptUrl ?? './service-worker.js');
		return () => {
			removeEventListener('online', onNetwork);
			removeEventListener('offline', onNetwork);
			stopWorker();
		};
	}

	/** Lets the waiting build take over; the page reloads once it controls it. */
	reload(): void {
		this.#reloading = true;
		if (this.#waiting) this.#waiting.postMessage('skip-waiting');
		else location.reload();
	}

	#register(scriptUrl: string): () => void {
		const container = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
		if (!container) {
			this.#unavailable =
				'This browser keeps no offline copy here (service workers need https or localhost).';
			return () => {};
		}
		const onControllerChange = () => {
			if (this.#reloading) location.reload();
		};
		container.addEventListener('controllerchange', onControllerChange);
		const offer = (worker: ServiceWorker) => {
			// Only an update: the very first install has no page to replace.
			if (!container.controller) return;
			this.#waiting = worker;
			this.#updateReady = true;
		};
		let registration: ServiceWorkerRegistration | undefined;
		const check = () => {
			if (document.visibilityState === 'visible') void registration?.update().catch(() => undefined);
		};
		container
			.register(scriptUrl)
			.then((r) => {
				registration = r;
				if (r.waiting) offer(r.waiting);
				r.addEventListener('updatefound', () => {
					const worker = r.installing;
					worker?.addEventListener('statechange', () => {
						if (worker.state === 'installed') offer(worker);
					});
				});
				document.addEventListener('visibilitychange', check);
			})
			.catch((error: unknown) => {
				this.#unavailable = `No offline copy: the browser refused the service worker (${String(error)}).`;
			});
		return () => {
			container.removeEventListener('controllerchange', onControllerChange);
			document.removeEventListener('visibilitychange', check);
		};
	}
}
