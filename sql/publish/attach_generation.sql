-- Attach the existing published generation at path $1 writable as pub.
ATTACH $1 AS pub;
