-- Each universe's last stored marts.breadth row before session $1: the A/D line and EMAs a
-- later run continues from (across sessions without a row, as one build over the stored
-- history does).
SELECT * FROM marts.breadth
WHERE session_date < $1
QUALIFY row_number() OVER (PARTITION BY universe ORDER BY session_date DESC) = 1;
