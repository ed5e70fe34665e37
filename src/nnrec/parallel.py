"""Work shared by worker processes, with the same results in the same order for any number."""


def map_tasks(function, tasks, workers=1, progress=None):
    """[function(task) for task in tasks], shared by ``workers`` processes when more than one.

    ``function`` must be importable by name (a module-level function), as the processes pickle
    it. progress: tqdm options (desc, unit, ...) for a progress bar, or None.
    """

    def shown(results):
        if not progress:
            return results
        from tqdm import tqdm

        return tqdm(results, total=len(tasks), **progress)

    if workers > 1 and len(tasks) > 1:
        # imported here: one process (reading a page) needs neither the pool nor tqdm
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            return list(shown(pool.map(function, tasks)))
    return [function(task) for task in shown(tasks)]
