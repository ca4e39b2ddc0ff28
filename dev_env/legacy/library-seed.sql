-- A small, made-up card catalogue for local development (load after library.sql).
-- Genre 4 is the internal db_only genre (not imported); release 2 is lost, release 4 was lost
-- and found again; release 5 is filed under db_only.

INSERT INTO `GENRE` (`ID`, `REFERENCE_NAME`) VALUES
  (1, 'Rock'), (2, 'Electronic'), (3, 'Jazz'), (4, 'db_only'), (5, 'Hiphop');

INSERT INTO `FORMAT` (`ID`, `REFERENCE_NAME`) VALUES
  (1, 'cd'), (2, 'vinyl'), (3, 'cassette');

INSERT INTO `LIBRARY_CODE`
  (`ID`, `GENRE_ID`, `PRESENTATION_NAME`, `ALPHABETICAL_NAME`, `CALL_LETTERS`, `CALL_NUMBERS`, `TIME_LAST_MODIFIED`, `TIME_CREATED`)
VALUES
  (1, 1, 'Stereolab', 'Stereolab', 'ST', 12, 1567353600000, 1567353600000),
  (2, 2, 'Broadcast', 'Broadcast', 'BR', 3, 1581436800000, 1581436800000),
  (3, 1, 'Yo La Tengo', 'Yo La Tengo', 'YO', 1, 1581436800000, 1581436800000),
  (4, 4, 'Station IDs', 'Station IDs', 'ZZ', 1, 1581436800000, 1581436800000);

INSERT INTO `LIBRARY_RELEASE`
  (`ID`, `TITLE`, `LIBRARY_CODE_ID`, `FORMAT_ID`, `CALL_NUMBERS`, `CALL_LETTERS`, `ALTERNATE_ARTIST_NAME`,
   `TIME_LAST_MODIFIED`, `TIME_CREATED`, `DATE_LOST`, `DATE_FOUND`)
VALUES
  (1, 'Jenny Ondioline', 1, 1, 1, 'ST', NULL, 1567353600000, 1567353600000, 0, 0),
  (2, 'Emperor Tomato Ketchup', 1, 2, 2, 'ST', NULL, 1714665600000, 1567353600000, 1714665600000, 0),
  (3, 'The Noise Made by People', 2, 1, 1, 'BR', NULL, 1581436800000, 1581436800000, NULL, NULL),
  (4, 'I Can Hear the Heart Beating as One', 3, 2, 1, 'YO', NULL, 1759766400000, 1581436800000, 1714665600000, 1759766400000),
  (5, 'Top of the Hour', 4, 1, 1, 'ZZ', 'WXYC', 1581436800000, 1581436800000, 0, 0);
