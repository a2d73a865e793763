//! A hash map for the DNS snapshot: split into shards, each behind its own `Arc`. Cloning the
//! map copies the shard pointers; changing an entry copies only its shard (1/256 of the map),
//! so a one-domain change stays cheap at 100,000 domains. Entries sit in flat hash tables (about
//! 40 bytes each with the table's slack), and a lookup hashes the key once.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

use hashbrown::HashTable;

const SHARDS: usize = 256;

type Shard<K, V> = Arc<HashTable<(K, V)>>;

#[derive(Clone, Debug)]
pub struct ShardedMap<K, V> {
    shards: Box<[Shard<K, V>]>,
    /// foldhash: the query name is hashed on every query, and SipHash costs more than the rest
    /// of the lookup.
    hasher: foldhash::fast::RandomState,
    len: usize,
}

impl<K, V> Default for ShardedMap<K, V> {
    fn default() -> Self {
        ShardedMap {
            shards: (0..SHARDS).map(|_| Arc::new(HashTable::new())).collect(),
            hasher: foldhash::fast::RandomState::default(),
            len: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> ShardedMap<K, V> {
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.shards[shard(hash)]
            .find(hash, |(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hasher.hash_one(&key);
        let hasher = &self.hasher;
        let table = Arc::make_mut(&mut self.shards[shard(hash)]);
        match table.entry(hash, |(k, _)| *k == key, |(k, _)| hasher.hash_one(k)) {
            hashbrown::hash_table::Entry::Occupied(mut found) => {
                Some(std::mem::replace(&mut found.get_mut().1, value))
            }
            hashbrown::hash_table::Entry::Vacant(empty) => {
                empty.insert((key, value));
                self.len += 1;
                None
            }
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let shard = &mut self.shards[shard(hash)];
        // Look before copying a shared shard: removing an absent key copies nothing.
        shard.find(hash, |(k, _)| k.borrow() == key)?;
        let table = Arc::make_mut(shard);
        let (_, value) = table
            .find_entry(hash, |(k, _)| k.borrow() == key)
            .ok()?
            .remove()
            .0;
        self.len -= 1;
        Some(value)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.shards
            .iter()
            .flat_map(|shard| shard.iter().map(|(_, v)| v))
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The shard of a hash: bits the tables do not use for their own buckets and tags.
#[inline]
fn shard(hash: u64) -> usize {
    (hash >> 48) as usize % SHARDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map_and_clones_stay_independent() {
        let mut map: ShardedMap<String, u32> = ShardedMap::default();
        for i in 0..2000 {
            assert_eq!(map.insert(format!("k{i}"), i), None);
        }
        let before = map.clone();
        assert_eq!(map.insert("k7".into(), 70), Some(7));
        assert_eq!(map.remove("k8"), Some(8));
        assert_eq!(map.remove("k8"), None);
        assert_eq!(map.remove("absent"), None);
        assert_eq!((map.len(), before.len()), (1999, 2000));
        assert_eq!(map.get("k7"), Some(&70));
        assert_eq!(before.get("k7"), Some(&7), "the clone is untouched");
        assert_eq!(before.get("k8"), Some(&8));
        assert!(
            (0..2000)
                .filter(|&i| i != 7 && i != 8)
                .all(|i| map.get(&format!("k{i}")) == Some(&i))
        );
    }
}
