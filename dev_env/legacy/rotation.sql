-- Legacy heavy-rotation tables as they are on the station's MySQL (MyISAM, utf8).
-- For tests and local development only: the real tables live on the legacy server.
-- Times and dates are epoch milliseconds (bigint; 0 or NULL = not set). Only the primary keys are indexed.

-- Record labels ("companies").
CREATE TABLE IF NOT EXISTS `COMPANY` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `NAME` varchar(255) DEFAULT NULL,
  `TIME_LAST_MODIFIED` bigint(20) DEFAULT NULL,
  `TIME_CREATED` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;

-- One release in rotation. ROTATION_TYPE: H(eavy), M(edium), L(ight), S(ingles).
-- COMPANY_ID 0/NULL: the label is ALTERNATE_LABEL_NAME. LIBRARY_RELEASE_ID 0: not in the library (yet).
-- DISCOGS_RELEASE_ID 0 or negative: none. ROTATION_KILL_DATE set: the release left rotation that day.
CREATE TABLE IF NOT EXISTS `ROTATION_RELEASE` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `ARTIST_PRESENTATION_NAME` varchar(255) DEFAULT NULL,
  `TITLE` varchar(255) DEFAULT NULL,
  `ROTATION_TYPE` char(1) DEFAULT NULL,
  `COMPANY_ID` int(11) DEFAULT NULL,
  `ALTERNATE_LABEL_NAME` varchar(255) DEFAULT NULL,
  `ROTATION_ADD_DATE` bigint(20) DEFAULT NULL,
  `ROTATION_KILL_DATE` bigint(20) DEFAULT NULL,
  `LIBRARY_RELEASE_ID` int(11) NOT NULL DEFAULT 0,
  `DISCOGS_RELEASE_ID` int(11) NOT NULL DEFAULT 0,
  `TIME_LAST_MODIFIED` bigint(20) DEFAULT NULL,
  `TIME_CREATED` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;
