//! Call centers through the API beside the configuration file: CallCenter created and updated by admins,
//! AdditionalNumber as an object, the User's call-center fields, and how the file and the API share the
//! records across restarts.

mod additional_numbers;
mod call_center;
mod coexistence;
mod support;
mod users;
