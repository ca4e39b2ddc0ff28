-- Legacy card catalogue tables as they are on the station's MySQL (MyISAM, utf8).
-- For tests and local development only: the real tables live on the legacy server.
-- Times are epoch milliseconds (bigint; 0 or NULL = not set). Only the primary keys are indexed.

CREATE TABLE IF NOT EXISTS `GENRE` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `REFERENCE_NAME` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `FORMAT` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `REFERENCE_NAME` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;

-- One artist card: CALL_LETTERS + CALL_NUMBERS are the artist's part of the call number.
CREATE TABLE IF NOT EXISTS `LIBRARY_CODE` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `GENRE_ID` int(11) DEFAULT NULL,
  `PRESENTATION_NAME` varchar(255) DEFAULT NULL,
  `ALPHABETICAL_NAME` varchar(255) DEFAULT NULL,
  `CALL_LETTERS` varchar(8) DEFAULT NULL,
  `CALL_NUMBERS` int(11) DEFAULT NULL,
  `TIME_LAST_MODIFIED` bigint(20) DEFAULT NULL,
  `TIME_CREATED` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;

-- One release on the shelves; CALL_NUMBERS is the release's number within its artist.
CREATE TABLE IF NOT EXISTS `LIBRARY_RELEASE` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `TITLE` varchar(255) DEFAULT NULL,
  `LIBRARY_CODE_ID` int(11) DEFAULT NULL,
  `FORMAT_ID` int(11) DEFAULT NULL,
  `CALL_NUMBERS` int(11) DEFAULT NULL,
  `CALL_LETTERS` varchar(8) DEFAULT NULL,
  `ALTERNATE_ARTIST_NAME` varchar(255) DEFAULT NULL,
  `TIME_LAST_MODIFIED` bigint(20) DEFAULT NULL,
  `TIME_CREATED` bigint(20) DEFAULT NULL,
  `DATE_LOST` bigint(20) DEFAULT NULL,
  `DATE_FOUND` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;
