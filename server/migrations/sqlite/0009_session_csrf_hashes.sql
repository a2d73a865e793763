-- Sessions keep only the SHA-256 of their CSRF token from now on (the token itself is derived
-- from the session's cookie token when it must be shown again). Sessions holding a plain token
-- are ended: everyone logs in again once.
DELETE FROM sessions;
