-- Each strategy version records how it was made (editor, recommend, restore, api, regenerate;
-- '' for versions stored before this) and the note its author gave.
ALTER TABLE strategy_versions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE strategy_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';
