//! The strategy editor's logic, apart from its views so that it is tested natively and runs the
//! same in the browser: the edits ([`Edit`]) with undo/redo ([`Editor`]), the canvas layout
//! ([`layout`]), the lint the editor adds to validation ([`lint`]) and the stress tools —
//! what-if selections, the N-1 sweep and the diff against the enabled version ([`stress`]).

mod edit;
mod graph;
pub mod layout;
pub mod lint;
pub mod number;
pub mod stress;
pub mod usersets;

pub use edit::{Children, Edit, EditError, is_rule, only_under, reaches};

use crate::strategy::StrategyDocument;

/// Undo steps kept; older ones are dropped.
const UNDO_DEPTH: usize = 200;

/// A draft with its undo and redo stacks and the last saved state.
#[derive(Clone, PartialEq, Debug)]
pub struct Editor {
    doc: StrategyDocument,
    saved: StrategyDocument,
    undo: Vec<StrategyDocument>,
    redo: Vec<StrategyDocument>,
}

impl Editor {
    /// An editor on `doc`, which counts as saved.
    pub fn new(doc: StrategyDocument) -> Editor {
        Editor {
            saved: doc.clone(),
            doc,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    pub fn doc(&self) -> &StrategyDocument {
        &self.doc
    }

    /// Applies `edit` as one undo step (a refused or empty edit adds none).
    pub fn apply(&mut self, edit: Edit) -> Result<Option<String>, EditError> {
        let before = self.doc.clone();
        let created = edit.apply(&mut self.doc)?;
        if self.doc != before {
            self.undo.push(before);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
            self.redo.clear();
        }
        Ok(created)
    }

    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.doc, previous));
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.doc, next));
        true
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// True when the draft differs from what was last saved (or loaded).
    pub fn is_dirty(&self) -> bool {
        self.doc != self.saved
    }

    pub fn mark_saved(&mut self) {
        self.saved = self.doc.clone();
    }

    /// Records `doc` as what was saved: the document a request sent, which edits made while it
    /// was on its way do not belong to.
    pub fn mark_saved_as(&mut self, doc: StrategyDocument) {
        self.saved = doc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{RuleKind, StrategyTree};

    #[test]
    fn undo_and_redo_walk_the_edits_and_dirtiness_follows_the_saved_state() {
        let empty = StrategyDocument {
            status: String::new(),
            strategy: StrategyTree {
                start: String::new(),
                rules: Vec::new(),
            },
            endpoints_conf: Vec::new(),
        };
        let mut editor = Editor::new(empty.clone());
        assert!(!editor.is_dirty() && !editor.can_undo());
        let add = || Edit::AddRule {
            parent: None,
            kind: RuleKind::Wrr,
        };
        editor.apply(add()).expect("adds");
        editor.apply(add()).expect("adds");
        assert_eq!(editor.doc().strategy.rules.len(), 2);
        assert!(editor.is_dirty());
        assert!(editor.undo());
        assert_eq!(editor.doc().strategy.rules.len(), 1);
        assert!(editor.redo());
        assert_eq!(editor.doc().strategy.rules.len(), 2);
        editor.mark_saved();
        assert!(!editor.is_dirty());
        assert!(editor.undo() && editor.undo() && !editor.undo());
        assert_eq!(editor.doc(), &empty);
        // A refused edit is no step.
        assert!(
            editor
                .apply(Edit::SetStart {
                    name: "nothing".into()
                })
                .is_err()
        );
        assert!(!editor.can_undo());
    }
}
