# demo/forecast.gp -- the sales chart of demo/story.sql (section 13).
#
# Run by the story from the repository's directory:
#   gnuplot -e "datafile='demo/out/forecast.csv'; outfile='demo/out/forecast.png'; \
#               now_x=24; asof='27 Nov 2026'" demo/forecast.gp
#
# The data file is CSV with a header line, one row per month, NaN where a
# series has no value:
#   idx, month, mon, yr, actual, to_date, forecast, lower, upper
# idx numbers the months from 0; mon and yr are the tick labels (yr only on
# January and the first month); the amounts are in millions.  now_x is the
# idx of the current month, where the forecast begins.

if (!exists("datafile")) datafile = 'demo/out/forecast.csv'
if (!exists("outfile")) outfile = 'demo/out/forecast.png'
if (!exists("asof")) asof = ''
if (!exists("now_x")) now_x = 24

set terminal pngcairo size 1400,700 enhanced font 'DejaVu Sans,12' linewidth 1.5
set output outfile
set datafile separator ','
set datafile missing 'NaN'
set key autotitle columnheader

set title sprintf("{/:Bold Monthly sales: two years of history and a six-month forecast}\n{/*0.8 submitted orders, after discount, all regions; forecast by Holt-Winters with a yearly season%s}", \
	asof eq '' ? '' : '; as of '.asof) offset 0,-0.3
set ylabel 'Sales per month (millions)'
set xlabel 'Month' offset 0,-0.6
set bmargin 5
set yrange [0:*]
set ytics format '%.0f'
set mytics 2
set xtics scale 0.6 nomirror
set ytics nomirror
set border 3
set grid ytics mytics lc rgb '#d9d9d9' lw 0.7, lc rgb '#eeeeee' lw 0.5
set key top left reverse Left samplen 2.5 spacing 1.2 box lc rgb '#cccccc' opaque
set offsets 0.5, 0.5, 0, 0

# Where history ends and the forecast begins.
set arrow 1 from now_x - 0.5, graph 0 to now_x - 0.5, graph 1 nohead dt 3 lc rgb '#808080' lw 1
set label 1 'forecast' at now_x - 0.3, graph 0.97 left textcolor rgb '#a63603' font ',11'
set label 2 'history' at now_x - 0.7, graph 0.97 right textcolor rgb '#08519c' font ',11'

actual_c = '#2166ac'
fc_c = '#e6550d'
band_c = '#fdd0a2'

ticlabel(m, y) = y eq '' ? m : m."\n".y

plot datafile using 1:8:9 with filledcurves fc rgb band_c fs solid 0.6 noborder \
		title '95 % prediction interval', \
	'' using 1:8 with lines dt (6,4) lc rgb fc_c lw 1 notitle, \
	'' using 1:9 with lines dt (6,4) lc rgb fc_c lw 1 notitle, \
	'' using 1:5:xtic(ticlabel(strcol(3), strcol(4))) with linespoints \
		lw 2 pt 7 ps 0.9 lc rgb actual_c title 'Actual (complete months)', \
	'' using 1:7 with linespoints dt (10,5) lw 2.2 pt 5 ps 0.9 lc rgb fc_c title 'Forecast', \
	'' using 1:6 with points pt 6 ps 2 lw 2 lc rgb actual_c title 'This month so far'
