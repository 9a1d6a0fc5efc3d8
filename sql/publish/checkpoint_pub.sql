-- Write the published generation's WAL into its file before it is renamed into place.
CHECKPOINT pub;
