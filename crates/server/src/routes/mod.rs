//! The HTTP routes, one file per resource.

pub mod appeals;
pub mod cases;
pub mod check;
pub mod deliver;
pub mod events;
pub mod front;
pub mod ops;
pub mod reports;
pub mod sanctions;
pub mod subjects;
