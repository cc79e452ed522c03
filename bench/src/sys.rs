//! What the benchmark reads from and asks of the operating system (Linux): CPU time and RSS of
//! a process from `/proc`, CPU pinning, the open-files limit, and a description of the machine.

use std::time::Instant;

use nix::sched::{CpuSet, sched_setaffinity};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::Pid;

/// The kernel's clock ticks per second for `/proc/PID/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

/// User plus system CPU time of process `pid` (all its threads), in microseconds.
pub fn cpu_us(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    cpu_us_from_stat(&stat)
}

/// User plus system CPU time of this process, in microseconds.
pub fn self_cpu_us() -> Option<f64> {
    cpu_us(std::process::id())
}

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line, in microseconds. The command
/// name (field 2) may hold spaces and parentheses: fields are counted after its last `)`.
pub fn cpu_us_from_stat(stat: &str) -> Option<f64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_whitespace();
    // After the name: state (3), ppid (4), ... utime is field 14, the 12th from here.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_S * 1e6)
}

/// CPU time of process `pid` (all its live threads), in microseconds, at nanosecond resolution:
/// the sum of the first field of `/proc/PID/task/*/schedstat` (time on a CPU, user and system
/// together). `utime + stime` of [`cpu_us`] counts in 10 ms ticks, too coarse for a burst of a
/// few milliseconds. `None` when the kernel does not keep the figure (it then reads 0).
pub fn cpu_us_fine(pid: u32) -> Option<f64> {
    let mut ns: u64 = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = entry.ok()?.path().join("schedstat");
        // A thread that ended since the listing has no CPU time to add any more.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        ns += schedstat_ns(&text)?;
    }
    (ns > 0).then_some(ns as f64 / 1e3)
}

/// The time on a CPU of a `/proc/.../schedstat` line (its first field), in nanoseconds.
pub fn schedstat_ns(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// The resident set size of process `pid` (`VmRSS`), in KiB.
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    rss_from_status(&status)
}

/// `VmRSS` of a `/proc/PID/status` text, in KiB.
pub fn rss_from_status(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Busy CPU time of the whole machine (every core, every process), in microseconds, from the
/// first line of `/proc/stat`: everything but idle and iowait.
pub fn machine_busy_us() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    machine_busy_from_stat(&stat)
}

/// Busy time of a `/proc/stat` text, µs.
pub fn machine_busy_from_stat(stat: &str) -> Option<f64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    if v.len() < 5 {
        return None;
    }
    let total: f64 = v.iter().sum();
    Some((total - v[3] - v[4]) / TICKS_PER_S * 1e6)
}

/// Waits until the rest of the machine is quiet: less than `threshold` of a core busy over a
/// 500 ms window (this process excluded), for at most `max`. Returns the last busy figure, in
/// cores.
pub async fn wait_quiet(threshold: f64, max: std::time::Duration) -> f64 {
    let start = Instant::now();
    loop {
        let (m0, s0, t0) = (machine_busy_us(), self_cpu_us(), Instant::now());
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (m1, s1) = (machine_busy_us(), self_cpu_us());
        let busy = match (m0, m1, s0, s1) {
            (Some(m0), Some(m1), Some(s0), Some(s1)) => {
                ((m1 - m0) - (s1 - s0)) / (t0.elapsed().as_secs_f64() * 1e6)
            }
            _ => return 0.0,
        };
        if busy < threshold || start.elapsed() >= max {
            return busy.max(0.0);
        }
    }
}

/// CPU time of the server, of the generator, and of the whole machine, at one instant.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    at: Instant,
    server_us: f64,
    client_us: f64,
    machine_us: f64,
}

/// What happened between two [`CpuSample`]s.
#[derive(Debug, Clone, Copy)]
pub struct CpuDelta {
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Server CPU time, microseconds.
    pub server_us: f64,
    /// Generator CPU time, microseconds.
    pub client_us: f64,
    /// Busy CPU time of the whole machine, microseconds.
    pub machine_us: f64,
}

impl CpuSample {
    /// Samples now.
    pub fn take(server_pid: u32) -> CpuSample {
        CpuSample::take_all(&[server_pid])
    }

    /// Samples now, counting the processes `server_pids` together as the server (the nodes of
    /// a scaled-out deployment and their Redis).
    pub fn take_all(server_pids: &[u32]) -> CpuSample {
        CpuSample {
            at: Instant::now(),
            server_us: server_pids
                .iter()
                .map(|&pid| cpu_us(pid).unwrap_or(f64::NAN))
                .sum(),
            client_us: self_cpu_us().unwrap_or(f64::NAN),
            machine_us: machine_busy_us().unwrap_or(f64::NAN),
        }
    }

    /// The difference from `self` to `later`.
    pub fn until(&self, later: &CpuSample) -> CpuDelta {
        CpuDelta {
            wall_s: later.at.duration_since(self.at).as_secs_f64(),
            server_us: later.server_us - self.server_us,
            client_us: later.client_us - self.client_us,
            machine_us: later.machine_us - self.machine_us,
        }
    }
}

impl CpuDelta {
    /// The generator's CPU time over wall time (1.0: one core fully busy).
    pub fn client_util(&self) -> f64 {
        self.client_us / (self.wall_s * 1e6)
    }

    /// The server's CPU time over wall time.
    pub fn server_util(&self) -> f64 {
        self.server_us / (self.wall_s * 1e6)
    }

    /// CPU used by everything else on the machine over wall time, in cores: other processes
    /// competing with the measured ones make a figure noisy.
    pub fn other_util(&self) -> f64 {
        ((self.machine_us - self.server_us - self.client_us) / (self.wall_s * 1e6)).max(0.0)
    }

    /// Whether other processes used more than 15% of a core during the window.
    pub fn noisy(&self) -> bool {
        self.other_util() > 0.15
    }

    /// Whether the generator was the bottleneck: its own core at least 90% busy.
    pub fn client_saturated(&self) -> bool {
        self.client_util() >= 0.9
    }
}

/// The cores the server and the generator run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cores {
    /// The server's core.
    pub server: usize,
    /// The generator's core.
    pub client: usize,
}

/// The cores to pin to: server on 0, generator on 1, or `None` on a one-core machine.
pub fn cores() -> Option<Cores> {
    (nproc() >= 2).then_some(Cores {
        server: 0,
        client: 1,
    })
}

/// Pins the calling thread to `core` (and whatever it spawns from now on). Children started
/// from this thread inherit the mask.
pub fn pin_current_thread(core: usize) -> nix::Result<()> {
    let mut set = CpuSet::new();
    set.set(core)?;
    sched_setaffinity(Pid::from_raw(0), &set)
}

/// Raises the open-files limit to the hard limit (children inherit it); returns the new soft
/// limit.
pub fn raise_fd_limit() -> u64 {
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Err(_) => 1024,
    }
}

/// The number of CPUs of the machine (not of this thread's affinity mask).
pub fn nproc() -> usize {
    let listed = std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| s.lines().filter(|l| l.starts_with("processor")).count())
        .unwrap_or(0);
    if listed > 0 {
        return listed;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The CPU model from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The kernel release.
pub fn kernel() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Total memory, KiB.
pub fn mem_total_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Today's date (UTC), `YYYY-MM-DD`, and the time, `HH:MM:SSZ`.
pub fn utc_now() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_a_tricky_name() {
        let stat = "1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 \
                    4242 1000000 5000 18446744073709551615";
        assert_eq!(cpu_us_from_stat(stat), Some(3_250_000.0));
    }

    #[test]
    fn machine_busy_time() {
        let stat = "cpu  100 0 50 1000 10 0 0 0 0 0\ncpu0 50 0 25 500 5 0 0 0 0 0\n";
        assert_eq!(machine_busy_from_stat(stat), Some(1_500_000.0));
    }

    #[test]
    fn schedstat_line() {
        assert_eq!(schedstat_ns("355421460 473989 44\n"), Some(355_421_460));
        assert_eq!(schedstat_ns(""), None);
    }

    #[test]
    fn rss_line() {
        let status = "Name:\tnode\nVmPeak:\t  100 kB\nVmRSS:\t   51234 kB\nThreads:\t7\n";
        assert_eq!(rss_from_status(status), Some(51234));
    }

    #[test]
    fn this_process_is_readable() {
        assert!(self_cpu_us().is_some());
        assert!(rss_kb(std::process::id()).is_some_and(|kb| kb > 0));
        let (date, time) = utc_now();
        assert_eq!((date.len(), time.len()), (10, 9));
    }
}
