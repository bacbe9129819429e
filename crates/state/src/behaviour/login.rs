//! Logins: device hopping, device farms, impossible travel, unofficial clients.
//!
//! **What it catches:**
//! - `device_hopping`: one account on many devices within a day (accounts rented out or run
//!   from emulator farms);
//! - `device_farm`: one device carrying many accounts within a day (the phone of a bulk-add
//!   or pusher operation), a signal about the device;
//! - `impossible_travel`: consecutive logins further apart than any flight could cover in the
//!   time between them (a stolen or shared account; VPNs cause it too, so it informs and does
//!   not climb the ladder);
//! - `unofficial_client`: a client that is not on the list of official apps (plug-in and
//!   modified clients announce themselves, or are fingerprinted upstream).
//!
//! **Example:** `u1` logging in from `d1` … `d5` within a day gives `device_hopping`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Location, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows, key_hash},
};
use crate::audit::{Subject, SubjectKind};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// The window for device and account counts, in seconds. Default 86,400.
    pub window_secs: u64,
    /// Distinct devices per account within the window. Default 5.
    pub devices_per_account: usize,
    /// Distinct accounts per device within the window. Default 5.
    pub accounts_per_device: usize,
    /// Faster than this between consecutive logins is impossible, in km/h. Default 1000.
    pub max_speed_kmh: f64,
    /// Shorter jumps than this are ignored (geolocation is coarse), in km. Default 300.
    pub min_travel_km: f64,
    /// Client names that are the platform's own apps. Default `["official"]`.
    pub official_clients: Vec<String>,
    pub window: WindowConfig,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            window_secs: 86_400,
            devices_per_account: 5,
            accounts_per_device: 5,
            max_speed_kmh: 1000.0,
            min_travel_km: 300.0,
            official_clients: vec!["official".into()],
            window: WindowConfig {
                per_key: 64,
                ..WindowConfig::default()
            },
        }
    }
}

pub struct Logins {
    config: LoginConfig,
    devices: Windows,
    accounts: Windows,
    /// The last located login per account: coordinates packed as two `f32`s.
    last_place: Windows,
    cooldown: Cooldown,
}

impl Logins {
    pub fn new(config: &LoginConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        Logins {
            config: config.clone(),
            devices: windows.windows(w.capacity, config.window_secs, w.per_key),
            accounts: windows.windows(w.capacity, config.window_secs, w.per_key),
            last_place: windows.windows(w.capacity, u64::MAX, 2),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

fn distinct(recent: &super::window::Recent) -> usize {
    let mut values: Vec<u64> = recent.iter().map(|(_, v)| *v).collect();
    values.sort_unstable();
    values.dedup();
    values.len()
}

fn pack(location: Location) -> u64 {
    (u64::from((location.lat as f32).to_bits()) << 32) | u64::from((location.lon as f32).to_bits())
}

fn unpack(packed: u64) -> Location {
    Location {
        lat: f64::from(f32::from_bits((packed >> 32) as u32)),
        lon: f64::from(f32::from_bits(packed as u32)),
    }
}

/// Great-circle distance in kilometres (haversine).
pub fn distance_km(a: Location, b: Location) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

impl Detector for Logins {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::Login {
            account,
            device,
            location,
            client,
            ..
        } = event
        else {
            return;
        };
        let config = &self.config;
        let devices = distinct(&self.devices.push(account, at, key_hash(device)));
        if devices >= config.devices_per_account
            && self.cooldown.ready(&format!("hop:{account}"), at)
        {
            signals.push(account_signal(
                account,
                BehaviourSignal::DeviceHopping,
                format!("{devices} devices within {} s", config.window_secs),
                true,
            ));
        }
        let accounts = distinct(&self.accounts.push(device, at, key_hash(account)));
        if accounts >= config.accounts_per_device
            && self.cooldown.ready(&format!("farm:{device}"), at)
        {
            signals.push(Signal {
                subject: Subject {
                    kind: SubjectKind::Device,
                    id: device.clone(),
                },
                name: BehaviourSignal::DeviceFarm,
                score: 1.0,
                detail: format!("{accounts} accounts within {} s", config.window_secs),
                automation: true,
            });
        }
        if let Some(here) = location.filter(|l| l.lat.is_finite() && l.lon.is_finite()) {
            let places = self.last_place.push(account, at, pack(here));
            if let (2, Some(&(then, previous))) = (places.len(), places.front()) {
                let km = distance_km(unpack(previous), here);
                let hours = (at - then).max(1) as f64 / 3600.0;
                if km >= config.min_travel_km && km / hours > config.max_speed_kmh {
                    signals.push(account_signal(
                        account,
                        BehaviourSignal::ImpossibleTravel,
                        format!("{km:.0} km in {:.1} h", hours),
                        false,
                    ));
                }
            }
        }
        if let Some(client) = client
            && !config.official_clients.iter().any(|c| c == client)
            && self.cooldown.ready(&format!("client:{account}"), at)
        {
            signals.push(account_signal(
                account,
                BehaviourSignal::UnofficialClient,
                format!("logged in with the unofficial client `{client}`"),
                true,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(
        account: &str,
        device: &str,
        location: Option<(f64, f64)>,
        client: &str,
    ) -> BehaviourEvent {
        BehaviourEvent::Login {
            account: account.into(),
            device: device.into(),
            ip: None,
            location: location.map(|(lat, lon)| Location { lat, lon }),
            client: Some(client.into()),
        }
    }

    fn names(signals: &[Signal]) -> Vec<&str> {
        signals.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn many_devices_for_one_account_and_many_accounts_on_one_device() {
        let mut detector = Logins::new(&LoginConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..5 {
            detector.observe(
                &login("u1", &format!("d{i}"), None, "official"),
                i * 600,
                &mut signals,
            );
        }
        assert_eq!(names(&signals), ["device_hopping"]);
        signals.clear();
        for i in 0..5 {
            detector.observe(
                &login(&format!("a{i}"), "farm-phone", None, "official"),
                i * 60,
                &mut signals,
            );
        }
        assert_eq!(names(&signals), ["device_farm"]);
        assert_eq!(signals[0].subject.kind, SubjectKind::Device);
    }

    #[test]
    fn the_same_phone_every_day_is_nothing() {
        let mut detector = Logins::new(&LoginConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for day in 0..30 {
            detector.observe(
                &login("u1", "d1", Some((31.23, 121.47)), "official"),
                day * 86_400,
                &mut signals,
            );
        }
        assert!(signals.is_empty());
    }

    #[test]
    fn shanghai_to_paris_in_an_hour_is_impossible_in_a_day_is_not() {
        let mut detector = Logins::new(&LoginConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        detector.observe(
            &login("u1", "d1", Some((31.23, 121.47)), "official"),
            0,
            &mut signals,
        );
        detector.observe(
            &login("u1", "d1", Some((48.86, 2.35)), "official"),
            3600,
            &mut signals,
        );
        assert_eq!(names(&signals), ["impossible_travel"]);
        assert!(!signals[0].automation);
        signals.clear();
        detector.observe(
            &login("u2", "d2", Some((31.23, 121.47)), "official"),
            0,
            &mut signals,
        );
        detector.observe(
            &login("u2", "d2", Some((48.86, 2.35)), "official"),
            86_400,
            &mut signals,
        );
        assert!(signals.is_empty());
    }

    #[test]
    fn unofficial_clients_are_named() {
        let mut detector = Logins::new(&LoginConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        detector.observe(
            &login("u1", "d1", None, "wx-helper-plugin"),
            0,
            &mut signals,
        );
        detector.observe(
            &login("u1", "d1", None, "wx-helper-plugin"),
            10,
            &mut signals,
        );
        assert_eq!(names(&signals), ["unofficial_client"], "once per window");
    }

    #[test]
    fn distances_are_great_circles() {
        let shanghai = Location {
            lat: 31.23,
            lon: 121.47,
        };
        let beijing = Location {
            lat: 39.90,
            lon: 116.40,
        };
        let km = distance_km(shanghai, beijing);
        assert!((1050.0..1090.0).contains(&km), "{km}");
    }
}
