// Package sentiment owns voc's five-level satisfaction model: it turns the
// text of a feedback item into a level on the 1-5 scale of voc.Level, a
// continuous score in [1,5], a calibrated confidence and, on request, the
// phrases that pushed the score up or down.
//
// The model is trained by voc itself (Train) from labelled reviews: 1-5 star
// ratings where a corpus has them, binary positive/negative corpora as extra
// signal (a positive review is "level 4 or 5", a negative one "level 1 or
// 2"). Text is folded to simplified Chinese, half-width and lower case, cut
// into units (Han characters, Latin words, emoji) and hashed into unit
// n-grams (short ones also with a copy tagged by the text's script) plus
// negation-scope features; an ordinal linear model (four "level > k"
// heads sharing one weight vector, so the binary corpora train the side
// decision directly) is fitted by AdaGrad and temperature-calibrated on a
// slice of the training data. The trained weights are quantised and saved in a small file
// (Save, Load) that a binary can embed (Default).
//
// The package does no I/O beyond reading what its caller hands it: corpora
// come in through ReadJSONL, models through Load. It knows nothing of the
// warehouse or the pipeline; those call Score or Explain.
//
// Split and Balanced define the documented evaluation protocol (see
// models/README.md); Evaluate computes the figures `voc eval` prints.
package sentiment
