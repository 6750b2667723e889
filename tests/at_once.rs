//! Several desks on one store doing something at the same moment (issue 19): each desk a
//! thread with its own connection (`TestDesk::second_desk`, another door on the same
//! SQLite file or PostgreSQL database), all released together by a barrier at the start
//! of every round, so that their transactions overlap as much as the machine lets them.
//! On SQLite the single writer queues them; on PostgreSQL they run side by side at
//! SERIALIZABLE and whatever the server cannot serialise is rolled back and run again by
//! the command table. The tests that use this check what must hold either way.

use std::sync::{Arc, Barrier};

use aftersales::{Actor, Desk, Error};
use serde_json::Value;

use crate::util::TestDesk;

/// What one desk's call gave: its reply's JSON, or the error.
pub type Outcome = Result<Value, Error>;

/// `desks` desks each make one call per round for `rounds` rounds, all desks starting a
/// round together; `call(desk_index, round)` names the command and its arguments. The
/// outcomes, per desk, in round order.
pub fn at_once<F>(t: &TestDesk, desks: usize, rounds: usize, call: F) -> Vec<Vec<Outcome>>
where
    F: Fn(usize, usize) -> (&'static str, Value) + Send + Sync + 'static,
{
    let barrier = Arc::new(Barrier::new(desks));
    let call = Arc::new(call);
    let threads: Vec<_> = (0..desks)
        .map(|i| {
            let mut desk: Desk = t.second_desk();
            desk.act_as(Actor::script());
            let barrier = Arc::clone(&barrier);
            let call = Arc::clone(&call);
            std::thread::spawn(move || {
                (0..rounds)
                    .map(|round| {
                        let (command, args) = call(i, round);
                        barrier.wait();
                        aftersales::api::call(&mut desk, command, args).map(|r| r.value())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|h| h.join().expect("a desk's thread panicked"))
        .collect()
}

/// A refusal a clerk can read: a stable code other than a storage failure, and a message
/// in Chinese (no SQLSTATE, no English from the server).
pub fn assert_told_plainly(e: &Error, context: &str) {
    let json = e.to_json();
    assert_ne!(e.code(), "storage", "{context}: a raw store error: {json}");
    let message = json["message"].as_str().unwrap_or_default();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{context}: not a sentence a clerk reads: {json}"
    );
    for raw in ["40001", "40P01", "serializ", "deadlock", "could not"] {
        assert!(
            !message.to_lowercase().contains(raw),
            "{context}: the server's words reached the clerk: {json}"
        );
    }
}

/// Numbers `{prefix}{year}{sequence}` (the sequence `digits` long) run 1, 2, … in each
/// prefix and year, with no gap and no repeat.
pub fn assert_gapless(numbers: &[String], digits: usize, context: &str) {
    let mut per_year: std::collections::BTreeMap<&str, Vec<u64>> = Default::default();
    for n in numbers {
        let (head, seq) = n.split_at(n.len() - digits);
        let seq = seq
            .parse()
            .unwrap_or_else(|_| panic!("{context}: {n} does not end in {digits} digits"));
        per_year.entry(head).or_default().push(seq);
    }
    for (head, seq) in &mut per_year {
        seq.sort_unstable();
        let want: Vec<u64> = (1..=seq.len() as u64).collect();
        assert_eq!(
            *seq, want,
            "{context}: {head}… numbered with a gap or a repeat"
        );
    }
}
