package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/loralab/loralab/adapters"
	"github.com/loralab/loralab/lab"
)

// loraConfig is PEFT's LoraConfig as adapter_config.json holds it: only
// keys LoraConfig accepts, with PEFT's names (PEFT 0.21).
type loraConfig struct {
	PEFTType        string  `json:"peft_type"`
	TaskType        *string `json:"task_type"`
	BaseModel       *string `json:"base_model_name_or_path"`
	R               int     `json:"r"`
	LoRAAlpha       number  `json:"lora_alpha"`
	LoRADropout     decimal `json:"lora_dropout"`
	TargetModules   any     `json:"target_modules"`
	Bias            string  `json:"bias"`
	UseRSLoRA       bool    `json:"use_rslora"`
	UseDoRA         bool    `json:"use_dora"`
	InitLoRAWeights any     `json:"init_lora_weights"`
	FanInFanOut     bool    `json:"fan_in_fan_out"`
	ModulesToSave   *string `json:"modules_to_save"`
	InferenceMode   bool    `json:"inference_mode"`
}

// veraConfig is PEFT's VeraConfig as adapter_config.json holds it.
type veraConfig struct {
	PEFTType          string  `json:"peft_type"`
	TaskType          *string `json:"task_type"`
	BaseModel         *string `json:"base_model_name_or_path"`
	R                 int     `json:"r"`
	TargetModules     any     `json:"target_modules"`
	ProjectionPRNGKey uint64  `json:"projection_prng_key"`
	SaveProjection    bool    `json:"save_projection"`
	VeraDropout       decimal `json:"vera_dropout"`
	DInitial          decimal `json:"d_initial"`
	FanInFanOut       bool    `json:"fan_in_fan_out"`
	Bias              string  `json:"bias"`
	ModulesToSave     *string `json:"modules_to_save"`
	InitWeights       bool    `json:"init_weights"`
	InferenceMode     bool    `json:"inference_mode"`
}

// number is a float64 written as an integer when it is one (lora_alpha 16,
// not 16.0 or 1.6e+01), else in Go's shortest exact form.
type number float64

// MarshalJSON writes n as JSON (non-finite values are not numbers).
func (n number) MarshalJSON() ([]byte, error) {
	x := float64(n)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, fmt.Errorf("export: %v is not a JSON number", x)
	}
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return []byte(fmt.Sprintf("%d", int64(x))), nil
	}
	return json.Marshal(x)
}

// decimal is a float64 written as a decimal number, as Python writes a
// float (0.0, not 0): PEFT's float fields.
type decimal float64

// MarshalJSON writes d as JSON (non-finite values are not numbers).
func (d decimal) MarshalJSON() ([]byte, error) {
	x := float64(d)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, fmt.Errorf("export: %v is not a JSON number", x)
	}
	return []byte(py(x)), nil
}

// adapterConfig is the adapter_config.json of the method sp with cfg's
// settings, adapting targets (a string or a list) of model (nil: none named,
// as for the toy), for PEFT's task type (nil: a plain module). It reports
// false where PEFT has no adapter for the method (full fine-tuning).
func adapterConfig(sp spec, cfg lab.Config, model, taskType *string, targets any) ([]byte, bool, error) {
	var v any
	switch sp.peftType {
	case "":
		return nil, false, nil
	case "VERA":
		v = veraConfig{
			PEFTType: sp.peftType, TaskType: taskType, BaseModel: model, R: cfg.Rank, TargetModules: targets,
			ProjectionPRNGKey: cfg.Seed, SaveProjection: true, DInitial: decimal(adapters.DInit.Float(cfg)),
			Bias: "none", InitWeights: true,
		}
	default:
		var init any = true // PEFT's default: A kaiming-uniform (±1/√d_in), B = 0, as the lab's
		if sp.pissa {
			init = adapters.PEFTInit // the exact SVD, as the lab's (gonum's)
		}
		v = loraConfig{
			PEFTType: sp.peftType, TaskType: taskType, BaseModel: model, R: cfg.Rank, LoRAAlpha: number(cfg.Alpha),
			TargetModules: targets, Bias: "none", UseRSLoRA: cfg.RSLoRA, UseDoRA: sp.useDoRA, InitLoRAWeights: init,
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false, err
	}
	return b.Bytes(), true, nil
}

// peftForm says in a few words what PEFT calls the method.
func peftForm(sp spec) string {
	switch {
	case sp.peftType == "":
		return "no PEFT adapter: every weight trains (plain AdamW)"
	case sp.peftType == "VERA":
		return "VeraConfig (peft_type VERA)"
	case sp.useDoRA:
		return "LoraConfig with use_dora"
	case sp.pissa:
		return `LoraConfig with init_lora_weights "pissa"`
	case sp.opt == loraPlusOpt:
		return "LoraConfig, trained with peft.optimizers.create_loraplus_optimizer"
	case sp.opt == loraFAOpt:
		return "LoraConfig, trained with peft.optimizers.create_lorafa_optimizer"
	case sp.frozenA:
		return "LoraConfig with every lora_A frozen"
	case sp.delta:
		return "LoraConfig, plus a hand-written Delta-LoRA step (PEFT has none)"
	}
	return "LoraConfig"
}

// scheduleHF is transformers' name (get_scheduler) for the lab's schedule:
// the lab's constant is transformers' constant_with_warmup.
func scheduleHF(kind string) string {
	if kind == lab.ScheduleConstant {
		return "constant_with_warmup"
	}
	return kind
}

// scalingText writes the LoRA scaling s as the lab computes it.
func scalingText(info lab.MethodInfo, cfg lab.Config) string {
	if !info.UsesAlpha() {
		return "no α/r scaling for " + info.Title
	}
	if cfg.RSLoRA {
		return fmt.Sprintf("s = α/√r = %s/√%d (rsLoRA)", strings.TrimSuffix(py(cfg.Alpha), ".0"), cfg.Rank)
	}
	return fmt.Sprintf("s = α/r = %s/%d", strings.TrimSuffix(py(cfg.Alpha), ".0"), cfg.Rank)
}
