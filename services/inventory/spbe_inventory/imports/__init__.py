"""Register imports from the web page: an uploaded OPD spreadsheet kept between its dry run and
its commit, applied through the same declaration services the consumer uses."""
