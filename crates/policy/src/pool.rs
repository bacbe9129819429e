//! Work spread over threads, results in input order, memory bounded.
//!
//! `check --jsonl`, `replay` and the batch endpoint all read a sequence of messages, analyze
//! and decide each on its own, and must answer in the order they read. [`ordered`] does that
//! for any work: the caller pushes items as it reads them, threads work through them in
//! batches, and the sink sees every result in the order its item was pushed. At most
//! [`Pool::window`] batches are read ahead of the oldest unfinished one, so a slow item (a
//! huge message) holds back the reading, not the memory.

use std::{
    collections::BTreeMap,
    sync::{Mutex, mpsc},
};

/// How the work is spread.
#[derive(Clone, Copy, Debug)]
pub struct Pool {
    /// Worker threads; 1 works on the calling thread.
    pub threads: usize,
    /// Items per batch handed to a thread.
    pub batch_items: usize,
    /// A batch ends early once its items weigh this much (bytes of input, say).
    pub batch_weight: usize,
}

impl Pool {
    /// `threads` workers (0 for one per core), batches of 64 items or 1 MiB.
    pub fn new(threads: usize) -> Self {
        Pool {
            threads: if threads == 0 { cores() } else { threads },
            batch_items: 64,
            batch_weight: 1 << 20,
        }
    }

    /// Batches read ahead of the oldest unfinished one.
    pub fn window(&self) -> u64 {
        4 * self.threads as u64
    }
}

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run `work` over the items `produce` pushes, on `pool.threads` threads, calling `sink` with
/// each result in push order. Each thread keeps a state made by `state` (reused buffers).
/// `weigh` says what an item costs to hold. `produce`'s error, or the first error of `sink`,
/// ends the run (the threads finish what they hold and stop) and is returned.
pub fn ordered<I, O, S, E, R>(
    pool: Pool,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, I) -> O + Sync,
    weigh: impl Fn(&I) -> usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> Result<(), E>) -> Result<R, E>,
    mut sink: impl FnMut(O) -> Result<(), E>,
) -> Result<R, E>
where
    I: Send,
    O: Send,
{
    if pool.threads <= 1 {
        let mut state = state();
        return produce(&mut |item| sink(work(&mut state, item)));
    }
    let window = pool.window();
    let (jobs, queue) = mpsc::sync_channel::<(u64, Vec<I>)>(window as usize);
    let queue = Mutex::new(queue);
    let (done, results) = mpsc::channel::<(u64, Vec<O>)>();
    let (queue, state, work) = (&queue, &state, &work);
    std::thread::scope(move |scope| {
        for _ in 0..pool.threads {
            let done = done.clone();
            scope.spawn(move || {
                let mut state = state();
                loop {
                    // The lock is held only to take a batch, never while working on one.
                    let job = queue
                        .lock()
                        .map_err(|_| ())
                        .and_then(|q| q.recv().map_err(|_| ()));
                    let Ok((sequence, items)) = job else { break };
                    let out = items.into_iter().map(|i| work(&mut state, i)).collect();
                    if done.send((sequence, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut reorder = Reorder {
            next: 0,
            waiting: BTreeMap::new(),
        };
        let mut batch: Vec<I> = Vec::with_capacity(pool.batch_items);
        let (mut weight, mut sent) = (0usize, 0u64);
        let mut failed: Option<E> = None;
        // Hand over the batch in hand, first waiting for old ones while the window is full.
        let mut send = |batch: Vec<I>,
                        reorder: &mut Reorder<O>,
                        sink: &mut dyn FnMut(O) -> Result<(), E>|
         -> Result<(), E> {
            while sent - reorder.next >= window {
                match results.recv() {
                    Ok((sequence, out)) => reorder.emit(sequence, out, sink)?,
                    // Every worker has stopped, which only a panic does: send no more (the
                    // queue would fill and never drain); the scope raises the panic at its end.
                    Err(_) => return Ok(()),
                }
            }
            // The queue's receiver outlives this sender, so the send cannot fail.
            let _ = jobs.send((sent, batch));
            sent += 1;
            while let Ok((sequence, out)) = results.try_recv() {
                reorder.emit(sequence, out, sink)?;
            }
            Ok(())
        };
        let outcome = produce(&mut |item| {
            if let Some(error) = failed.take() {
                return Err(error);
            }
            weight += weigh(&item);
            batch.push(item);
            if batch.len() >= pool.batch_items || weight >= pool.batch_weight {
                weight = 0;
                let full = std::mem::replace(&mut batch, Vec::with_capacity(pool.batch_items));
                if let Err(error) = send(full, &mut reorder, &mut sink) {
                    failed = Some(error);
                }
            }
            Ok(())
        });
        let outcome = match (outcome, failed) {
            (Ok(value), None) => {
                if !batch.is_empty() {
                    send(batch, &mut reorder, &mut sink)?;
                }
                Ok(value)
            }
            (Err(error), _) | (Ok(_), Some(error)) => Err(error),
        };
        // No more batches: the workers finish theirs and end, which ends `results`.
        drop(jobs);
        let value = outcome?;
        for (sequence, out) in results.iter() {
            reorder.emit(sequence, out, &mut sink)?;
        }
        Ok(value)
    })
}

/// Results waiting for the ones before them.
struct Reorder<O> {
    next: u64,
    waiting: BTreeMap<u64, Vec<O>>,
}

impl<O> Reorder<O> {
    fn emit<E>(
        &mut self,
        sequence: u64,
        out: Vec<O>,
        sink: &mut dyn FnMut(O) -> Result<(), E>,
    ) -> Result<(), E> {
        self.waiting.insert(sequence, out);
        while let Some(out) = self.waiting.remove(&self.next) {
            self.next += 1;
            for o in out {
                sink(o)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pool: Pool, n: u64) -> Vec<u64> {
        let mut seen = Vec::new();
        let result: Result<(), ()> = ordered(
            pool,
            || 0u64,
            |calls, i: u64| {
                *calls += 1;
                // Uneven work, so that batches finish out of order.
                if i.is_multiple_of(7) {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                i * 2
            },
            |_| 1,
            |push| {
                for i in 0..n {
                    push(i)?;
                }
                Ok(())
            },
            |o| {
                seen.push(o);
                Ok(())
            },
        );
        assert!(result.is_ok());
        seen
    }

    #[test]
    fn results_come_in_input_order_whatever_the_threads() {
        let expected: Vec<u64> = (0..1000).map(|i| i * 2).collect();
        for threads in [1, 2, 3, 8] {
            let pool = Pool {
                threads,
                batch_items: 5,
                batch_weight: 1 << 20,
            };
            assert_eq!(run(pool, 1000), expected, "{threads} threads");
        }
        assert_eq!(run(Pool::new(2), 0), Vec::<u64>::new());
    }

    #[test]
    #[should_panic(expected = "a scoped thread panicked")]
    fn a_panic_in_the_work_ends_the_run_instead_of_hanging_it() {
        let pool = Pool {
            threads: 2,
            batch_items: 2,
            batch_weight: 1 << 20,
        };
        let _: Result<(), ()> = ordered(
            pool,
            || (),
            |_, i: u32| {
                assert!(i < 500, "item {i}");
                i
            },
            |_| 1,
            |push| {
                for i in 0..100_000 {
                    push(i)?;
                }
                Ok(())
            },
            |_| Ok(()),
        );
    }

    #[test]
    fn a_sink_error_ends_the_run() {
        let pool = Pool {
            threads: 2,
            batch_items: 3,
            batch_weight: 1 << 20,
        };
        let mut taken = 0;
        let result: Result<(), &str> = ordered(
            pool,
            || (),
            |_, i: u32| i,
            |_| 1,
            |push| {
                for i in 0..10_000 {
                    push(i)?;
                }
                Ok(())
            },
            |o| {
                taken += 1;
                if o == 10 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!(result, Err("stop"));
        assert_eq!(taken, 11);
    }
}
