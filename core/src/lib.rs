//! desmig core: the Desmigratif field-data engine. The beneficiary model and its validation,
//! mentoring checklists, the local SQLite store with its outbox, and the merge rules that the
//! phones and the sync server share.

pub mod bounded;
pub mod bundle;
pub mod carry;
pub mod checklist;
pub mod cipher;
pub mod date;
pub mod error;
pub mod field;
pub mod hlc;
pub mod labels;
pub mod merge;
pub mod model;
pub mod nik;
pub mod outbox;
pub mod present;
pub mod protocol;
pub mod query;
pub mod records;
pub mod reference;
pub mod region;
pub mod rules;
pub mod schema;
pub mod scope;
pub mod status;
pub mod store;
pub mod sync;
pub mod validate;

pub use error::{ApiError, Error, FieldError, Result};
pub use store::FieldStore;
