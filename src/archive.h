/*-------------------------------------------------------------------------
 *
 * archive.h
 *	  Moving old history to the archives (archive.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_ARCHIVE_H
#define SO_ARCHIVE_H

#include "sqlstate.h"

extern bool so_in_archive_move(void);
extern int64 so_archive_batch(int64 keep_s, int max_rows);

#endif							/* SO_ARCHIVE_H */
