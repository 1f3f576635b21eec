//! Keyword searches narrowed by PostgreSQL's index of the characters of
//! names (`enterprises_name_chars`, migration 0015).
//!
//! A keyword anywhere in a name is a substring test that no btree can
//! answer: without help the search tests every name of its region. The
//! index lists, for each character, the enterprises whose name holds it, so
//! `string_to_array(name, NULL) @> <the keyword's characters>` finds the
//! names holding them all; the substring test then checks only those.
//!
//! That pays when a character of the keyword is rare (焦 is in 0.9 % of the
//! demo's names: 焦化 in 唐山市 took 4 ms instead of 50–70), and costs when
//! all are common: 玉、田、县 are each in about 30 % of the names, and
//! reading 40,000 of them from the table took 55 ms where the region's
//! index entries took 37. The planner cannot tell the two apart: it
//! multiplies the characters' frequencies as if they were independent, and
//! guessed 5,280 names for 玉田县 when there were 39,752. So the condition is
//! added here only when the keyword's rarest character is rare enough,
//! judged from the same statistics (the frequencies ANALYZE keeps for the
//! index's elements), and the planner then chooses between this index and
//! the region's entries as usual. The condition never changes a result: a
//! name holding the keyword holds each of its characters.

use super::search::{Filter, Keyword};
use crate::args;
use crate::db::{Backend, Exec};
use crate::error::StoreResult;

/// The condition is added when at most this share of all names holds the
/// keyword's rarest character: then at most 16,000 of 200,000 names are read
/// from the table, about 30 ms at worst, which is no slower than testing
/// every name of 玉田县's 90,000 and much faster than a city's.
pub const MAX_SHARE: f64 = 0.08;

/// The condition the index answers, for a keyword as argument `?1`.
pub const CONDITION: &str = "string_to_array(name, NULL) @> string_to_array(?1, NULL)";

/// The share of names holding the keyword's rarest character, from the
/// index's statistics: a character not among its most common elements is
/// taken to be as common as the least common one listed. `None` before
/// ANALYZE has seen the index (a new or small registry: scans are fast).
const RAREST_SHARE: &str = "
SELECT MIN(COALESCE(s.freqs[array_position(s.elems, c)],
                    s.freqs[cardinality(s.elems) + 1]))::float8 AS share
  FROM (SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
          FROM pg_stats
         WHERE schemaname = current_schema() AND tablename = 'enterprises_name_chars') AS s
 CROSS JOIN unnest(string_to_array($1, NULL)) AS c";

/// The share of names holding the keyword's rarest character, as the
/// statistics tell it; `None` on SQLite, for a keyword other than Chinese,
/// or without statistics.
pub async fn rarest_share(e: &mut impl Exec, keyword: &str) -> StoreResult<Option<f64>> {
    if e.backend() != Backend::Postgres || Keyword::of(keyword) != Keyword::Chinese {
        return Ok(None);
    }
    e.fetch_one(RAREST_SHARE, args![keyword])
        .await?
        .get("share")
}

/// Adds the index's condition to a search's filter when the keyword holds a
/// rare character (see the module's docs).
pub(crate) async fn narrow(
    e: &mut impl Exec,
    keyword: Option<&str>,
    filter: &mut Filter,
) -> StoreResult<()> {
    let Some(keyword) = keyword else {
        return Ok(());
    };
    if rarest_share(e, keyword)
        .await?
        .is_some_and(|share| share <= MAX_SHARE)
    {
        filter.push(CONDITION, vec![keyword.into()]);
    }
    Ok(())
}
