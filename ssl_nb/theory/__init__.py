"Information theory behind self-supervised objectives: mutual-information bounds, NCE, temperature, rate-distortion."
