"""Work shared by worker processes, with the same results in the same order for any number."""


def map_tasks(function, tasks, workers=1, progress=None):
    """[function(task) for task in tasks], shared by ``workers`` processes when more than one.

    ``function`` must be importable by name (a module-level function), as the processes pickle
    it. progress: tqdm options (desc, unit, ...) for a progress bar, or None.
    """
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    def shown(results):
        return tqdm(results, total=len(tasks), **progress) if progress else results

    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(workers) as pool:
            return list(shown(pool.map(function, tasks)))
    return [function(task) for task in shown(tasks)]
