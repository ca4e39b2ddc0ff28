-- A small, made-up rotation for local development (load after rotation.sql; library-seed.sql
-- has the library releases 2 and 3 that entries 1 and 2 point at). Entry 3 has left rotation,
-- entry 4 points at a release not in the library, entry 5 has no ROTATION_TYPE (skipped).

INSERT INTO `COMPANY` (`ID`, `NAME`, `TIME_LAST_MODIFIED`, `TIME_CREATED`) VALUES
  (1, 'Duophonic', 1567353600000, 1567353600000),
  (2, 'Warp', 1567353600000, 1567353600000);

INSERT INTO `ROTATION_RELEASE`
  (`ID`, `ARTIST_PRESENTATION_NAME`, `TITLE`, `ROTATION_TYPE`, `COMPANY_ID`, `ALTERNATE_LABEL_NAME`,
   `ROTATION_ADD_DATE`, `ROTATION_KILL_DATE`, `LIBRARY_RELEASE_ID`, `DISCOGS_RELEASE_ID`, `TIME_LAST_MODIFIED`, `TIME_CREATED`)
VALUES
  (1, 'Stereolab', 'Emperor Tomato Ketchup', 'H', 1, NULL, 1774886400000, 0, 2, 1234567, 1774886400000, 1774886400000),
  (2, 'Broadcast', 'The Noise Made by People', 'M', 2, NULL, 1774886400000, NULL, 3, 0, 1774886400000, 1774886400000),
  (3, 'Yo La Tengo', 'Autumn Sweater', 'L', 0, 'Matador', 1774886400000, 1775059200000, 0, -1, 1775059200000, 1774886400000),
  (4, 'Unwound', 'Leaves Turn Inside You', 'S', NULL, 'Kill Rock Stars', 1775318400000, 0, 99, 0, 1775318400000, 1775318400000),
  (5, 'Unknown Band', 'Unfiled', '', NULL, NULL, 1775318400000, 0, 0, 0, 1775318400000, 1775318400000);
